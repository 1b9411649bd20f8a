// miaotui web chat: sends the conversation to /v1/chat/completions with stream: true, renders
// the server-sent events as they arrive, and aborts the fetch on Stop. Text is HTML-escaped;
// ``` fences become <pre><code> blocks.
'use strict';

const $ = (id) => document.getElementById(id);
const history = [];  // {role, content}
let controller = null;

function escapeHtml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// Escaped text with ``` fenced blocks (an unclosed one too, while streaming) as <pre><code>.
function render(text) {
  const parts = text.split('```');
  let html = '';
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      html += escapeHtml(parts[i]);
    } else {
      const nl = parts[i].indexOf('\n');
      const lang = nl > 0 ? parts[i].slice(0, nl).trim() : '';
      const code = nl >= 0 ? parts[i].slice(nl + 1) : parts[i];
      html += '<pre><code' + (lang ? ' data-lang="' + escapeHtml(lang) + '"' : '') + '>' +
          escapeHtml(code) + '</code></pre>';
    }
  }
  return html;
}

function addMessage(role, text) {
  const div = document.createElement('div');
  div.className = 'msg ' + role;
  div.innerHTML = '<div class="role">' + escapeHtml(role) + '</div><div class="body"></div>';
  div.querySelector('.body').innerHTML = render(text);
  $('messages').appendChild(div);
  $('messages').scrollTop = $('messages').scrollHeight;
  return div.querySelector('.body');
}

function headers() {
  const h = {'Content-Type': 'application/json'};
  const key = $('api_key').value.trim();
  if (key) h['Authorization'] = 'Bearer ' + key;
  return h;
}

function setBusy(busy) {
  $('send').disabled = busy;
  $('stop').disabled = !busy;
}

async function send(text) {
  history.push({role: 'user', content: text});
  addMessage('user', text);
  const body = addMessage('assistant', '');
  const messages = [];
  const system = $('system').value.trim();
  if (system) messages.push({role: 'system', content: system});
  messages.push(...history);
  const request = {
    messages,
    stream: true,
    temperature: parseFloat($('temperature').value),
    top_p: parseFloat($('top_p').value),
    max_tokens: parseInt($('max_tokens').value, 10),
  };
  controller = new AbortController();
  setBusy(true);
  $('status').textContent = 'generating…';
  let reply = '';
  let tokens = 0;
  const t0 = performance.now();
  try {
    const res = await fetch('v1/chat/completions', {
      method: 'POST', headers: headers(), body: JSON.stringify(request),
      signal: controller.signal,
    });
    if (!res.ok) {
      let msg = res.status + ' ' + res.statusText;
      try { msg = (await res.json()).error.message; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buf += decoder.decode(value, {stream: true});
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const event = buf.slice(0, end);
        buf = buf.slice(end + 2);
        for (const line of event.split('\n')) {
          if (!line.startsWith('data: ')) continue;
          const data = line.slice(6);
          if (data === '[DONE]') continue;
          const chunk = JSON.parse(data);
          if (chunk.error) throw new Error(chunk.error.message);
          const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
          if (delta && delta.content) {
            reply += delta.content;
            tokens++;
            body.innerHTML = render(reply);
            $('messages').scrollTop = $('messages').scrollHeight;
          }
        }
      }
    }
    const secs = (performance.now() - t0) / 1000;
    $('status').textContent = tokens + ' chunks in ' + secs.toFixed(1) + ' s';
  } catch (err) {
    if (err.name === 'AbortError') {
      $('status').textContent = 'stopped';
    } else {
      body.parentElement.classList.add('error');
      body.textContent = 'Error: ' + err.message;
      $('status').textContent = '';
    }
  } finally {
    if (reply) history.push({role: 'assistant', content: reply});
    controller = null;
    setBusy(false);
  }
}

$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('input').value.trim();
  if (!text || controller) return;
  $('input').value = '';
  send(text);
});
$('input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    $('composer').requestSubmit();
  }
});
$('stop').addEventListener('click', () => { if (controller) controller.abort(); });
$('clear').addEventListener('click', () => {
  if (controller) controller.abort();
  history.length = 0;
  $('messages').innerHTML = '';
  $('status').textContent = '';
});

fetch('v1/models', {headers: headers()}).then((r) => r.json()).then((j) => {
  $('model').textContent = j.data[0].id;
}).catch(() => { $('model').textContent = ''; });
