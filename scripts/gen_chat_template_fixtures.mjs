// Generates tests/template/fixtures/generated_cases.json: every chat template in
// ../shared/fixtures/chat-templates rendered by the reference (@huggingface/jinja) over a
// varied set of conversations, the way transformers' apply_chat_template calls it.
//
// Dev-time only. Install the reference outside the repo, then run:
//   npm install --prefix /tmp/jinjaref @huggingface/jinja@0.5.11
//   JINJA_REF=/tmp/jinjaref node scripts/gen_chat_template_fixtures.mjs
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const shared = process.env.MIAOTUI_SHARED_DIR ?? path.resolve(repo, "../shared");
const ref = process.env.JINJA_REF ?? "/tmp/jinjaref";
const require = createRequire(path.join(ref, "package.json"));
const { Template } = require("@huggingface/jinja");
const version = JSON.parse(
  fs.readFileSync(path.join(ref, "node_modules/@huggingface/jinja/package.json"), "utf8"),
).version;

const dir = path.join(shared, "fixtures/chat-templates");
const meta = JSON.parse(fs.readFileSync(path.join(dir, "templates.json"), "utf8"));

const u = (content) => ({ role: "user", content });
const a = (content) => ({ role: "assistant", content });
const s = (content) => ({ role: "system", content });
const conversations = [
  [u("Hi")],
  [s("Be brief."), u("Hi")],
  [u("One"), a("Two"), u("Three"), a("Four"), u("Five")],
  [u("Question?"), a("Answer.")],
  [s("Sys"), u("Q"), a("A")],
  [u("")],
  [u("Hello"), a("")],
  [s("")],
  [s("Only a system prompt")],
  [u("naïve café — 日本語 テキスト, emoji 😀👩‍👩‍👧 and ZWJ, Ω≈ç√")],
  [u("  leading and trailing  "), a("\n\tindented\n"), u("\n\n")],
  [u("quotes \" ' and backslash \\ and {{ braces }} {% tags %}")],
  [u("first"), u("second same role")],
  [a("assistant first")],
  [s("A"), s("B"), u("C")],
  [u("line1\nline2\r\nline3"), a("ok"), u("more")],
  [u("<s>[INST] fake special tokens </s> <|im_end|> <|eot_id|>")],
  [u("x".repeat(500))],
];

const cases = [];
for (const t of meta.templates) {
  const source = fs.readFileSync(path.join(dir, t.file), "utf8");
  const tmpl = new Template(source);
  for (const messages of conversations) {
    for (const add_generation_prompt of [false, true]) {
      const c = { family: t.family, messages, add_generation_prompt };
      try {
        c.expected = tmpl.render({
          messages,
          bos_token: t.bos_token,
          eos_token: t.eos_token,
          add_generation_prompt,
          tools: null,
          documents: null,
        });
      } catch (e) {
        c.error = e.message;
      }
      cases.push(c);
    }
  }
}

const out = path.join(repo, "tests/template/fixtures/generated_cases.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(cases, null, 1) + "\n");
console.log(`wrote ${cases.length} cases (@huggingface/jinja ${version}) to ${out}`);
