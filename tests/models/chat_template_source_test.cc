// ReadChatTemplateSource: the chat template and BOS/EOS strings from GGUF metadata and from a
// Hugging Face folder (string or named-list chat_template, AddedToken objects, null tokens,
// chat_template.jinja), and errors that name the file and the field.
#include "models/chat_template_source.h"

#include <gtest/gtest.h>

#include <fstream>

#include "formats/gguf.h"
#include "test_util.h"

namespace miaotui::models {
namespace {

using testing::SharedPath;
using testing::TempDir;

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(ChatTemplateSourceTest, GgufWithoutAndWithTemplate) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  auto plain = ReadChatTemplateSource(SharedPath("models/stories260K.gguf"));
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_FALSE(plain->chat_template.has_value());
  EXPECT_EQ(plain->bos_token, "<s>");
  EXPECT_EQ(plain->eos_token, "</s>");
  EXPECT_NE(plain->origin.find("tokenizer.chat_template"), std::string::npos);

  TempDir dir;
  auto f = formats::GgufFile::Open(SharedPath("fixtures/tokenizer/ggml-vocab-gpt-2.gguf"));
  ASSERT_TRUE(f.ok());
  formats::GgufWriter w;
  for (const auto& kv : (*f)->metadata()) w.SetValue(kv.key, kv.value);
  w.SetString("tokenizer.chat_template", "{{ messages[0].content }}");
  ASSERT_TRUE(w.Write(dir.File("v.gguf")).ok());
  auto src = ReadChatTemplateSource(dir.File("v.gguf"));
  ASSERT_TRUE(src.ok()) << src.status().message();
  EXPECT_EQ(src->chat_template, "{{ messages[0].content }}");
  EXPECT_EQ(src->eos_token, "<|endoftext|>");
}

TEST(ChatTemplateSourceTest, HfNamedListAndAddedTokenObjects) {
  TempDir dir;
  Write(dir.File("tokenizer_config.json"),
        R"({"chat_template": [{"name": "tool_use", "template": "T"},
                              {"name": "default", "template": "D"}],
            "bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>"})");
  auto src = ReadChatTemplateSource(dir.path());
  ASSERT_TRUE(src.ok()) << src.status().message();
  EXPECT_EQ(src->chat_template, "D");
  EXPECT_EQ(src->bos_token, "<s>");
  EXPECT_EQ(src->eos_token, "</s>");
}

TEST(ChatTemplateSourceTest, HfStringNullTokenAndJinjaFile) {
  TempDir dir;
  Write(dir.File("tokenizer_config.json"),
        R"({"chat_template": "X", "bos_token": null, "eos_token": "<|im_end|>"})");
  auto src = ReadChatTemplateSource(dir.path());
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(src->chat_template, "X");
  EXPECT_FALSE(src->bos_token.has_value());

  Write(dir.File("tokenizer_config.json"), R"({"eos_token": "</s>"})");
  Write(dir.File("chat_template.jinja"), "J\n");
  auto jinja = ReadChatTemplateSource(dir.path());
  ASSERT_TRUE(jinja.ok());
  EXPECT_EQ(jinja->chat_template, "J\n");
  EXPECT_EQ(jinja->eos_token, "</s>");

  TempDir empty;
  auto none = ReadChatTemplateSource(empty.path());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->chat_template.has_value());
}

TEST(ChatTemplateSourceTest, ErrorsNameFileAndField) {
  TempDir dir;
  const std::string cfg = dir.File("tokenizer_config.json");
  Write(cfg, R"({"chat_template": [{"name": "rag", "template": "R"}]})");
  auto no_default = ReadChatTemplateSource(dir.path());
  ASSERT_FALSE(no_default.ok());
  EXPECT_NE(no_default.status().message().find("'default'"), std::string::npos);
  EXPECT_NE(no_default.status().message().find("rag"), std::string::npos);

  Write(cfg, R"({"chat_template": 42})");
  auto bad = ReadChatTemplateSource(dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(cfg), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("chat_template"), std::string::npos);

  Write(cfg, R"({"chat_template": "x", "eos_token": {"lstrip": true}})");
  auto tok = ReadChatTemplateSource(dir.path());
  ASSERT_FALSE(tok.ok());
  EXPECT_NE(tok.status().message().find("eos_token"), std::string::npos);

  EXPECT_EQ(ReadChatTemplateSource(dir.File("nope.gguf")).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace miaotui::models
