// ChatFormat: the end-of-turn text of each shared template family, rendering with the model's
// bos/eos, and tokenizing a rendered prompt (special text parsed, one BOS).
#include "runtime/chat_format.h"

#include <gtest/gtest.h>

#include "base/mmap_file.h"
#include "formats/gguf.h"
#include "test_util.h"

namespace miaotui::runtime {
namespace {

using testing::SharedPath;

std::string EndOfTurn(const std::string& family, std::optional<std::string> bos,
                      std::optional<std::string> eos) {
  auto text = ReadFileToString(SharedPath("fixtures/chat-templates/" + family + ".jinja"));
  EXPECT_TRUE(text.ok()) << text.status().message();
  auto f = ChatFormat::Create(*text, bos, eos);
  EXPECT_TRUE(f.ok()) << f.status().message();
  return f.ok() ? f->EndOfTurn() : "?";
}

TEST(ChatFormatTest, EndOfTurnOfEachFamily) {
  MT_REQUIRE_SHARED("fixtures/chat-templates/cases.json");
  EXPECT_EQ(EndOfTurn("qwen2-instruct", std::nullopt, "<|im_end|>"), "<|im_end|>");
  EXPECT_EQ(EndOfTurn("qwen2.5-instruct", std::nullopt, "<|im_end|>"), "<|im_end|>");
  EXPECT_EQ(EndOfTurn("smollm2-instruct", "<|im_start|>", "<|im_end|>"), "<|im_end|>");
  EXPECT_EQ(EndOfTurn("llama3-instruct", "<|begin_of_text|>", "<|end_of_text|>"), "<|eot_id|>");
  EXPECT_EQ(EndOfTurn("llama3.1-instruct", "<|begin_of_text|>", "<|eot_id|>"), "<|eot_id|>");
  EXPECT_EQ(EndOfTurn("gemma2-it", "<bos>", "<eos>"), "<end_of_turn>");
  EXPECT_EQ(EndOfTurn("phi3-mini-instruct", "<s>", "<|endoftext|>"), "<|end|>");
  EXPECT_EQ(EndOfTurn("llama2-chat", "<s>", "</s>"), "</s>");
  EXPECT_EQ(EndOfTurn("mistral-7b-instruct", "<s>", "</s>"), "</s>");
  EXPECT_EQ(EndOfTurn("zephyr-7b-beta", "<s>", "</s>"), "</s>");
}

TEST(ChatFormatTest, RenderUsesTokensAndParseErrorsAreReported) {
  auto f = ChatFormat::Create("{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}"
                              "{% endfor %}{% if add_generation_prompt %}>{% endif %}",
                              "<s>", "</s>");
  ASSERT_TRUE(f.ok());
  nlohmann::json msgs = nlohmann::json::array({{{"role", "user"}, {"content", "hi"}}});
  EXPECT_EQ(*f->Render(msgs, true), "<s>hi</s>>");
  EXPECT_EQ(*f->Render(msgs, false), "<s>hi</s>");
  EXPECT_EQ(f->EndOfTurn(), "</s>");
  auto bad = ChatFormat::Create("{% for m in messages %}", "<s>", "</s>");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 1"), std::string::npos) << bad.status().message();
}

TEST(ChatFormatTest, TokenizeParsesSpecialTextAndAddsOneBos) {
  MT_REQUIRE_SHARED("fixtures/tokenizer/ggml-vocab-llama-spm.gguf");
  auto gguf = formats::GgufFile::Open(SharedPath("fixtures/tokenizer/ggml-vocab-llama-spm.gguf"));
  ASSERT_TRUE(gguf.ok());
  auto tok = tokenizer::LoadTokenizerFromGguf(**gguf);
  ASSERT_TRUE(tok.ok());
  auto f = ChatFormat::Create("x", "<s>", "</s>");
  ASSERT_TRUE(f.ok());
  std::vector<int32_t> with = f->Tokenize(**tok, "<s>[INST] Hi [/INST] Hello</s>");
  ASSERT_GE(with.size(), 3u);
  EXPECT_EQ(with[0], 1);
  EXPECT_NE(with[1], 1);
  EXPECT_EQ(with.back(), 2);  // "</s>" parsed as EOS
  std::vector<int32_t> without = f->Tokenize(**tok, "[INST] Hi [/INST]");
  EXPECT_EQ(without[0], 1);  // add_bos: one BOS added
  EXPECT_EQ(std::count(without.begin(), without.end(), 1), 1);
}

}  // namespace
}  // namespace miaotui::runtime
