// Starts `miaotui serve` on a free loopback port (--port 0; the port is read from its
// "listening on" line) and stops it with SIGTERM, waiting for a clean exit 0.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CLI = process.env.MIAOTUI_CLI;
export const SHARED = process.env.MIAOTUI_SHARED_DIR;

export const CHATML =
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n" +
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

// Skips (exit 77, which ctest reports as skipped) with a reason, never passing silently.
export function skip(reason) {
  console.log('skipped: ' + reason);
  process.exit(77);
}

export function requireInputs(models) {
  if (!CLI || !fs.existsSync(CLI)) skip('MIAOTUI_CLI is not set to the miaotui binary');
  for (const m of models) {
    if (!SHARED || !fs.existsSync(path.join(SHARED, m))) skip('missing ' + m + ' under shared/');
  }
}

export function chatTemplateFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'miaotui-node-'));
  const file = path.join(dir, 'chatml.jinja');
  fs.writeFileSync(file, CHATML);
  return file;
}

export async function startServer(args, timeoutMs = 30000) {
  const proc = spawn(CLI, ['serve', '--port', '0', '--threads', '2', ...args],
                     {stdio: ['ignore', 'ignore', 'pipe']});
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start: ' + log)), timeoutMs);
    proc.stderr.on('data', (d) => {
      log += d.toString();
      const m = log.match(/listening on (http:\/\/[0-9.]+:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error('server exited ' + code + ': ' + log)));
  });
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    url,
    proc,
    log: () => log,
    async stop() {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
