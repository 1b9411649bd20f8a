// The web chat page in headless Chromium (Debian's chromium, driven by playwright-core):
// the page loads, a message is sent, streamed tokens appear, Stop aborts a long reply, and
// model text is shown escaped. Exit 77 (skipped) with the reason when Chromium or the npm
// package is missing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {chatTemplateFile, requireInputs, skip, startServer} from './server_process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
if (!fs.existsSync(path.join(here, 'node_modules', 'playwright-core'))) {
  skip('npm package playwright-core is not installed (npm ci --prefix tests/server/node)');
}
const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser']
    .find((p) => fs.existsSync(p));
if (!chromiumPath) skip('chromium is not installed (apt-get install chromium)');
requireInputs(['models/gpt2-test-f16.gguf']);
const {chromium} = await import('playwright-core');
const SHARED = process.env.MIAOTUI_SHARED_DIR;

setTimeout(() => {
  console.error('web_test: timed out');
  process.exit(1);
}, 120000).unref();

// A random-weights GPT-2: it never ends early, so the long reply is still running at Stop.
const srv = await startServer(['-m', path.join(SHARED, 'models/gpt2-test-f16.gguf'),
                               '--chat-template', chatTemplateFile(), '-c', '1024']);
let browser;
let failed = false;
try {
  browser = await chromium.launch({executablePath: chromiumPath, headless: true,
                                   args: ['--no-sandbox', '--disable-gpu']});
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(srv.url + '/', {timeout: 15000});
  assert.equal(await page.title(), 'miaotui chat');
  await page.waitForFunction(() => document.getElementById('model').textContent.length > 1,
                             null, {timeout: 10000});

  // A short reply streams in and finishes.
  await page.fill('#max_tokens', '24');
  await page.fill('#system', 'You tell stories.');
  await page.fill('#input', 'Tell me about <b>Lily</b>');
  await page.click('#send');
  await page.waitForFunction(() => {
    const msgs = document.querySelectorAll('.msg.assistant .body');
    return msgs.length === 1 && msgs[0].textContent.length > 5;
  }, null, {timeout: 15000});
  await page.waitForFunction(() => !document.getElementById('send').disabled, null,
                             {timeout: 15000});
  // The user's text is escaped, not rendered as HTML.
  const userHtml = await page.innerHTML('.msg.user .body');
  assert.ok(userHtml.includes('&lt;b&gt;Lily&lt;/b&gt;'), userHtml);
  assert.match(await page.textContent('#status'), /chunks/);

  // A long reply: tokens appear while it runs, then Stop aborts it.
  await page.fill('#max_tokens', '900');
  await page.fill('#temperature', '1.0');
  await page.fill('#input', 'And then?');
  await page.click('#send');
  await page.waitForFunction(() => {
    const msgs = document.querySelectorAll('.msg.assistant .body');
    return msgs.length === 2 && msgs[1].textContent.length > 0;
  }, null, {timeout: 15000});
  assert.equal(await page.isDisabled('#stop'), false);
  const before = (await page.textContent('.msg.assistant:nth-of-type(4) .body')).length;
  await page.click('#stop');
  await page.waitForFunction(() => document.getElementById('status').textContent === 'stopped',
                             null, {timeout: 10000});
  const after = (await page.textContent('.msg.assistant:nth-of-type(4) .body')).length;
  assert.ok(after >= before);
  // The server cancelled the sequence: nothing runs after the abort.
  let running = -1;
  for (let i = 0; i < 50 && running !== 0; i++) {
    const m = await (await fetch(srv.url + '/metrics')).text();
    running = Number(m.match(/^miaotui_running_sequences (\d+)/m)[1]);
    if (running !== 0) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(running, 0, 'the stopped stream was cancelled on the server');

  // Code fences render as <pre><code>, escaped.
  const html = await page.evaluate(() => render('x ```js\nif (a < b) {}\n``` y'));
  assert.ok(html.includes('<pre><code data-lang="js">if (a &lt; b) {}\n</code></pre>'), html);
  assert.deepEqual(errors, []);
  console.log('web_test: ok');
} catch (err) {
  failed = true;
  console.error('web_test: FAILED', err);
} finally {
  if (browser) await browser.close();
  await srv.stop();
}
process.exit(failed ? 1 : 0);
