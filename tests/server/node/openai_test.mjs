// miaotui serve against the official OpenAI Node client: chat (whole and streamed), completions,
// embeddings (a BERT model on a second server) and error cases (400 naming the field, 401).
// Run by ctest; exit 77 (skipped) with a reason when node_modules or a model is missing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {chatTemplateFile, requireInputs, skip, startServer} from './server_process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
if (!fs.existsSync(path.join(here, 'node_modules', 'openai'))) {
  skip('npm package openai is not installed (npm ci --prefix tests/server/node)');
}
requireInputs(['models/stories260K.gguf', 'models/bert-test-f16.gguf']);
const {default: OpenAI} = await import('openai');
const SHARED = process.env.MIAOTUI_SHARED_DIR;

setTimeout(() => {
  console.error('openai_test: timed out');
  process.exit(1);
}, 120000).unref();

const gen = await startServer(['-m', path.join(SHARED, 'models/stories260K.gguf'),
                               '--chat-template', chatTemplateFile(), '--api-key', 'k1',
                               '--model-alias', 'stories', '-c', '256']);
const emb = await startServer(['-m', path.join(SHARED, 'models/bert-test-f16.gguf')]);
let failed = false;
try {
  const client = new OpenAI({baseURL: gen.url + '/v1', apiKey: 'k1', maxRetries: 0,
                             timeout: 30000});
  const models = await client.models.list();
  assert.equal(models.data[0].id, 'stories');

  const messages = [{role: 'system', content: 'Be kind.'}, {role: 'user', content: 'A story?'}];
  const whole = await client.chat.completions.create(
      {model: 'stories', messages, max_tokens: 16, temperature: 0});
  assert.equal(whole.object, 'chat.completion');
  const text = whole.choices[0].message.content;
  assert.ok(text.length > 0);
  assert.equal(whole.usage.completion_tokens + whole.usage.prompt_tokens,
               whole.usage.total_tokens);

  const stream = await client.chat.completions.create(
      {model: 'stories', messages, max_tokens: 16, temperature: 0, stream: true,
       stream_options: {include_usage: true}});
  let streamed = '';
  let usage = null;
  let finish = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const c = chunk.choices[0];
    if (!c) continue;
    streamed += c.delta.content ?? '';
    if (c.finish_reason) finish = c.finish_reason;
  }
  assert.equal(streamed, text);
  assert.ok(finish === 'stop' || finish === 'length');
  assert.equal(usage.completion_tokens, whole.usage.completion_tokens);

  const cmpl = await client.completions.create(
      {model: 'stories', prompt: 'Once upon a time', max_tokens: 8, temperature: 0});
  assert.equal(cmpl.object, 'text_completion');
  assert.equal(cmpl.usage.completion_tokens, 8);
  const cstream = await client.completions.create(
      {model: 'stories', prompt: 'Once upon a time', max_tokens: 8, temperature: 0,
       stream: true});
  let ctext = '';
  for await (const chunk of cstream) ctext += chunk.choices[0]?.text ?? '';
  assert.equal(ctext, cmpl.choices[0].text);

  await assert.rejects(
      client.chat.completions.create({model: 'stories', messages: [], max_tokens: 4}),
      (err) => err instanceof OpenAI.BadRequestError && err.status === 400 &&
               err.param === 'messages');
  await assert.rejects(
      client.chat.completions.create({model: 'stories', messages, temperature: 'warm'}),
      (err) => err.status === 400 && err.param === 'temperature');
  const anon = new OpenAI({baseURL: gen.url + '/v1', apiKey: 'wrong', maxRetries: 0});
  await assert.rejects(anon.models.list(),
                       (err) => err instanceof OpenAI.AuthenticationError && err.status === 401);

  const eclient = new OpenAI({baseURL: emb.url + '/v1', apiKey: 'none', maxRetries: 0});
  const e = await eclient.embeddings.create(
      {model: 'bert', input: ['hello world', 'good night'], encoding_format: 'float'});
  assert.equal(e.data.length, 2);
  assert.ok(e.data[0].embedding.length > 0);
  const norm = Math.hypot(...e.data[1].embedding);
  assert.ok(Math.abs(norm - 1) < 1e-3, 'normalized: ' + norm);
  // The client's default is encoding_format "base64", which it decodes: the same floats.
  const b = await eclient.embeddings.create({model: 'bert', input: ['hello world', 'good night']});
  assert.deepEqual(Array.from(b.data[1].embedding), e.data[1].embedding);
  // A decoder model embeds too (last-token pooling).
  const d = await client.embeddings.create({model: 'x', input: 'Once upon a time'});
  assert.ok(Math.abs(Math.hypot(...d.data[0].embedding) - 1) < 1e-3);
  console.log('openai_test: ok');
} catch (err) {
  failed = true;
  console.error('openai_test: FAILED', err);
  console.error(gen.log());
} finally {
  assert.equal(await gen.stop(), 0, 'graceful SIGTERM exit');
  assert.equal(await emb.stop(), 0);
}
process.exit(failed ? 1 : 0);
