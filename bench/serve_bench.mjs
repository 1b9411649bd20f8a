// Load generator for `miaotui serve` (a benchmark, not a test): C concurrent streaming
// /v1/completions clients, N generated tokens each, for each C in a list. Reports aggregate
// generated tokens/s, p50/p99 time to first token and p50/p99 inter-token latency; then one
// stream's speed on the same server after a 16-stream burst (compare with the first C=1 run).
// Usage: node bench/serve_bench.mjs URL [--clients 1,4,16,64] [--tokens 128]
const url = process.argv[2] ?? 'http://127.0.0.1:8080';
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const levels = arg('--clients', '1,4,16,64').split(',').map(Number);
const nTokens = Number(arg('--tokens', '128'));

function pct(xs, p) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))];
}

// One streaming request; token times in ms from its start.
async function stream(prompt) {
  const t0 = performance.now();
  const res = await fetch(url + '/v1/completions', {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({prompt, max_tokens: nTokens, temperature: 0.8, stream: true}),
  });
  if (!res.ok) throw new Error('HTTP ' + res.status + ': ' + await res.text());
  const times = [];
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buf += dec.decode(value, {stream: true});
    let end;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const ev = buf.slice(0, end);
      buf = buf.slice(end + 2);
      if (!ev.startsWith('data: ') || ev === 'data: [DONE]') continue;
      const j = JSON.parse(ev.slice(6));
      if (j.choices?.[0] && j.choices[0].finish_reason === null) times.push(performance.now() - t0);
    }
  }
  return times;
}

let seq = 0;
const prompt = () => `Request ${seq++}: once upon a time in a land far away there lived`;

async function level(c) {
  const t0 = performance.now();
  const all = await Promise.all(Array.from({length: c}, () => stream(prompt())));
  const wall = (performance.now() - t0) / 1000;
  const ttft = all.map((t) => t[0]);
  const itl = all.flatMap((t) => t.slice(1).map((x, i) => x - t[i]));
  const tokens = all.reduce((n, t) => n + t.length, 0);
  return {clients: c, tokens, wall_s: +wall.toFixed(2), tok_per_s: +(tokens / wall).toFixed(1),
          ttft_p50_ms: +pct(ttft, 50).toFixed(1), ttft_p99_ms: +pct(ttft, 99).toFixed(1),
          itl_p50_ms: +pct(itl, 50).toFixed(2), itl_p99_ms: +pct(itl, 99).toFixed(2)};
}

await stream(prompt());  // warm-up (graphs for the shapes)
const rows = [];
for (const c of levels) rows.push(await level(c));
console.table(rows);
const fresh = rows.find((r) => r.clients === 1) ?? await level(1);
await level(16);
const after = await level(1);
console.log(JSON.stringify({single_stream_fresh_tok_s: fresh.tok_per_s,
                            single_stream_after_16_burst_tok_s: after.tok_per_s}));
console.log(JSON.stringify(rows));
