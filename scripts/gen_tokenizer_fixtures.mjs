// Generates reference tokenizer fixtures with transformers.js (Hugging Face's JavaScript port of
// the `tokenizers` pipeline), for tests/tokenizer/hf_reference_test.cc. Dev-time only; the
// output is committed, so the build and tests never need Node.
//
// How to run (offline; the tokenizers are read from ../shared/models):
//   mkdir -p /tmp/tokref && cd /tmp/tokref && npm init -y && \
//     npm install @huggingface/transformers@4.3.1 --ignore-scripts
//   NODE_PATH=/tmp/tokref/node_modules node scripts/gen_tokenizer_fixtures.mjs [SHARED_DIR]
// (or run it from a copy inside /tmp/tokref; ESM ignores NODE_PATH, so the script resolves the
// package from TOKREF_DIR, default /tmp/tokref). SHARED_DIR defaults to ../shared next to the
// repository.
//
// For each tokenizer (gpt2-test-hf, bert-test-hf, stories260K-hf) it writes
// tests/tokenizer/fixtures/<name>.json: a list of {text, ids, ids_no_special}, where `ids` is
// tokenizer.encode(text) with add_special_tokens true and `ids_no_special` with it false. As in
// Hugging Face's tokenizers, special-token strings in the text are always recognised (our
// Encode with parse_special = true).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const shared = path.resolve(process.argv[2] ?? path.join(repo, '..', 'shared'));
const tokref = process.env.TOKREF_DIR ?? '/tmp/tokref';
const require = createRequire(path.join(tokref, 'package.json'));
const { env, AutoTokenizer } = await import(require.resolve('@huggingface/transformers'));

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.join(shared, 'models') + path.sep;

// The corpus: English, code, CJK, emoji and ZWJ sequences, combining marks, runs of spaces and
// newlines, special-token strings, and llama.cpp's own tokenizer test strings.
const corpus = [
  '',
  ' ',
  'Hello world',
  ' Hello world',
  'Hello World!',
  'The quick brown fox jumps over the lazy dog.',
  "It's a dog's life, isn't it? We'll see, I'm sure they'd agree. DON'T SHOUT.",
  'Once upon a time, there was a little girl named Lily. She loved to play outside.',
  'def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n',
  'for (int i = 0; i < n; ++i) { sum += a[i] * 2; }  // C++\n\tprintf("%d\\n", sum);',
  '#include <stdio.h>\nint main(void) {\r\n  return 0;\r\n}\n',
  'x = {"key": [1, 2.5, -3e10], \'b\': None}  # dict',
  'SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name;',
  '日本語のテキスト、漢字とひらがな。',
  '中文字符和标点符号：你好，世界！',
  '안녕하세요 세계',
  'Привет мир! Ёлка и ёж.',
  'Ελληνικά: αβγ ΔΕΖ',
  'العربية والفارسية',
  'हिन्दी भाषा',
  'emoji 🎉👍 and 🦙.cpp 🙂',
  'family 👨‍👩‍👧‍👦 and 🏳️‍🌈 and 👩🏽‍💻 flags 🇯🇵🇫🇷',
  'combining: e\u0301 a\u0308 n\u0303 o\u0302\u0323 and precomposed é ä ñ ộ',
  'Héllo Wörld! Ünïcödé ñ café naïve Ærøskøbing Führer',
  'math ∑x² ≤ 10, ∞ ≠ π, √2 ≈ 1.414, ½ ¾ ①',
  'In 2023, the population was 8,045,311,447 -- roughly 8.0 billion people!',
  '1 12 123 1234 12345 123456 3.14159 0x1F 1e-9',
  '  two leading spaces',
  'trailing spaces   ',
  'a  b   c    d     e',
  '\n',
  '\n\n\n',
  ' \n \n ',
  '\t\ttabs\tand\n\n\nnewlines\r\nCRLF',
  'line one\n\nline two\n   indented\n\t\ttabbed',
  'special <|endoftext|> inside',
  '<|endoftext|>',
  'a<|endoftext|>b<|endoftext|><|endoftext|>c',
  '[CLS] bert [SEP] tokens [MASK] and [UNK] [PAD]',
  '<s> llama </s> tokens <unk> <s>x</s>',
  '<|im_start|>user\nhi<|im_end|>',
  'zero\u200bwidth space and soft\u00adhyphen and nbsp\u00a0here',
  'control\u0001chars\u0007here\u001f',
  'supercalifragilisticexpialidocious' + 'x'.repeat(120),
  'ied 4 ½ months',
  'w048 7tuijk dsdfhu',
  'нещо на Български',
  'កាន់តែពិសេសអាចខលចេញ',
  '🚀 (normal) 😶‍🌫️ (multiple emojis concatenated) ✅ (only emoji that has its own token)',
  '   Hello\n    Hello',
  '3333333 33333333 333333333',
  "Hi there!!! ... ?!? ''' \"\"\" ``` ~~~ ---",
];

for (const name of ['gpt2-test-hf', 'bert-test-hf', 'stories260K-hf']) {
  const tok = await AutoTokenizer.from_pretrained(name);
  const cases = corpus.map((text) => ({
    text,
    ids: Array.from(tok.encode(text, { add_special_tokens: true })),
    ids_no_special: Array.from(tok.encode(text, { add_special_tokens: false })),
  }));
  const out = path.join(repo, 'tests', 'tokenizer', 'fixtures', `${name}.json`);
  fs.writeFileSync(out, JSON.stringify(cases, null, 0).replace(/\},\{/g, '},\n{') + '\n');
  console.log(`${out}: ${cases.length} cases`);
}
