// The Hugging Face tokenizer.json path: stories260K-hf against the goldens and the GGUF path,
// and malformed files.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace miaotui::tokenizer {
namespace {

using ::miaotui::testing::SharedPath;
using ::miaotui::testing::TempDir;

TEST(HfLoaderTest, Stories260KGoldenPromptsBothForms) {
  MT_REQUIRE_SHARED("models/stories260K-hf/tokenizer.json");
  MT_REQUIRE_SHARED("golden/stories260K/manifest.json");
  auto hf = LoadTokenizerFromHfFolder(SharedPath("models/stories260K-hf"));
  ASSERT_TRUE(hf.ok()) << hf.status().message();
  auto gguf = LoadSharedGguf("models/stories260K.gguf");
  ASSERT_NE(gguf, nullptr);
  const auto manifest =
      nlohmann::json::parse(ReadFileToString(SharedPath("golden/stories260K/manifest.json")));
  int n = 0;
  for (const auto& p : manifest.at("prompts")) {
    const std::string text = p.at("text").get<std::string>();
    const std::vector<int32_t> want = p.at("tokens").get<std::vector<int32_t>>();
    EXPECT_EQ(gguf->Encode(text, true), want) << text;
    EXPECT_EQ((*hf)->Encode(text, true), want) << text;
    std::vector<std::string> pieces;
    for (int32_t id : want) pieces.push_back(gguf->TokenToPiece(id));
    EXPECT_EQ(pieces, p.at("token_pieces").get<std::vector<std::string>>());
    ++n;
  }
  EXPECT_EQ(n, 5);
  EXPECT_EQ((*hf)->bos_id(), 1);
  EXPECT_EQ((*hf)->eos_id(), 2);
  EXPECT_TRUE((*hf)->IsEndOfGeneration(2));
  EXPECT_EQ((*hf)->vocab().unk_id, 0);
}

// Rank-ordered merges (Hugging Face) and score-ordered merges (GGUF) agree on real text.
TEST(HfLoaderTest, SameIdsAsGgufOnShakespeareAndEdgeCases) {
  MT_REQUIRE_SHARED("models/stories260K-hf/tokenizer.json");
  MT_REQUIRE_SHARED("data/tinyshakespeare.txt");
  auto hf = LoadTokenizerFromHfFolder(SharedPath("models/stories260K-hf"));
  ASSERT_TRUE(hf.ok()) << hf.status().message();
  auto gguf = LoadSharedGguf("models/stories260K.gguf");
  ASSERT_NE(gguf, nullptr);
  std::vector<std::string> texts = {"", " ", "  ", "\t", "\n\n", "a  b   c", "héllo wörld 日本語 🦙",
                                    "<s>hi</s>", "x\xff y", "One day, 3 cats found 12 red balls!"};
  std::istringstream lines(ReadFileToString(SharedPath("data/tinyshakespeare.txt")));
  std::string line, para;
  for (int i = 0; i < 3000 && std::getline(lines, line); ++i) {
    texts.push_back(line);
    para += line + "\n";
    if (i % 50 == 49) texts.push_back(std::move(para)), para.clear();
  }
  for (const std::string& t : texts) {
    for (bool special : {false, true}) {
      ASSERT_EQ((*hf)->Encode(t, special, special), gguf->Encode(t, special, special)) << t;
    }
  }
}

// Writes `tokenizer_json` (and optionally a config) to a temp folder and loads it.
Status LoadFrom(const std::string& tokenizer_json, const std::string& config = "") {
  TempDir dir;
  std::ofstream(dir.File("tokenizer.json")) << tokenizer_json;
  if (!config.empty()) std::ofstream(dir.File("tokenizer_config.json")) << config;
  auto tok = LoadTokenizerFromHfFolder(dir.path());
  return tok.ok() ? Status::Ok() : tok.status();
}

// A small valid SentencePiece-style tokenizer.json; `model` replaces the model object.
std::string TinyJson(const std::string& model = "") {
  const std::string m = model.empty() ? R"({"type": "BPE", "byte_fallback": true,
      "unk_token": "<unk>", "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "▁": 3, "a": 4, "▁a": 5},
      "merges": ["▁ a"]})" : model;
  return R"({"added_tokens": [{"id": 1, "content": "<s>", "special": true},
      {"id": 2, "content": "</s>", "special": true}],
    "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
      {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
    "pre_tokenizer": null, "model": )" + m + "}";
}

TEST(HfLoaderTest, TinyValidJson) {
  TempDir dir;
  std::ofstream(dir.File("tokenizer.json")) << TinyJson();
  auto tok = LoadTokenizerFromHfFolder(dir.path());
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  EXPECT_EQ((*tok)->Encode("a a", true), (std::vector<int32_t>{1, 5, 5}));
  EXPECT_EQ((*tok)->Encode("b", false), (std::vector<int32_t>{3, 0}));  // no byte tokens: unk
  EXPECT_EQ((*tok)->TokenToPiece(5), " a");
  EXPECT_EQ((*tok)->TokenToPiece(1), "<s>");
}

void ExpectError(const Status& s, StatusCode code, const std::string& needle) {
  EXPECT_EQ(s.code(), code) << s.message();
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("tokenizer"), std::string::npos) << s.message();
}

TEST(HfLoaderTest, MalformedTokenizerJson) {
  ExpectError(LoadFrom("{not json"), StatusCode::kInvalidArgument, "invalid JSON");
  ExpectError(LoadFrom("[1, 2]"), StatusCode::kInvalidArgument, "JSON object");
  ExpectError(LoadFrom(R"({"normalizer": null})"), StatusCode::kInvalidArgument, "'model'");
  ExpectError(LoadFrom(TinyJson(R"({"type": "WordPiece", "vocab": {}})")),
              StatusCode::kUnimplemented, "'normalizer.normalizers[0]' of type 'Prepend'");
  ExpectError(LoadFrom(TinyJson(R"({"type": "Unigram", "vocab": []})")),
              StatusCode::kUnimplemented, "Unigram");
  ExpectError(LoadFrom(TinyJson(R"({"type": "BPE", "vocab": [1], "merges": []})")),
              StatusCode::kInvalidArgument, "model.vocab");
  ExpectError(LoadFrom(TinyJson(R"({"type": "BPE", "vocab": {"a": "x"}, "merges": []})")),
              StatusCode::kInvalidArgument, "model.vocab");
  ExpectError(LoadFrom(TinyJson(R"({"type": "BPE", "vocab": {"a": 0, "b": 4}, "merges": []})")),
              StatusCode::kInvalidArgument, "id 3");
  // Resource limit: a huge id in a tiny file must not size the tables (docs/ERRORS.md).
  ExpectError(
      LoadFrom(TinyJson(R"({"type": "BPE", "vocab": {"a": 0, "b": 16777215}, "merges": []})")),
      StatusCode::kInvalidArgument, "lists only");
  ExpectError(LoadFrom(TinyJson(R"({"type": "BPE", "vocab": {"a": 0, "b": 0}, "merges": []})")),
              StatusCode::kInvalidArgument, "twice");
  ExpectError(LoadFrom(TinyJson(R"({"type": "BPE", "vocab": {"a": 0}})")),
              StatusCode::kInvalidArgument, "model.merges");
  ExpectError(LoadFrom(TinyJson(R"({"type": "BPE", "vocab": {"a": 0}, "merges": [7]})")),
              StatusCode::kInvalidArgument, "model.merges[0]");
  ExpectError(LoadFrom(TinyJson(R"({"type": "BPE", "vocab": {"a": 0}, "merges": ["a"]})")),
              StatusCode::kInvalidArgument, "model.merges[0]");
  ExpectError(LoadFrom(TinyJson(R"({"type": "BPE", "vocab": {"<s>": 1, "</s>": 2, "a": 0},
      "merges": ["a b"]})")), StatusCode::kInvalidArgument, "merge 0 'a b'");
  // Byte-level BPE: malformed or unsupported pipeline parts name their field.
  ExpectError(LoadFrom(R"({"normalizer": null, "pre_tokenizer": {"type": "Sequence",
      "pretokenizers": [{"type": "Split", "behavior": "Isolated"}, {"type": "ByteLevel"}]},
      "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})"),
              StatusCode::kInvalidArgument, "'pre_tokenizer.pretokenizers[0].pattern'");
  ExpectError(LoadFrom(R"({"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"Regex": "("}}, {"type": "ByteLevel"}]},
      "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})"),
              StatusCode::kInvalidArgument, "regex '('");
  ExpectError(LoadFrom(R"({"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithNext"},
      {"type": "ByteLevel"}]}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})"),
              StatusCode::kUnimplemented, "pre_tokenizer.pretokenizers[0].behavior");
  ExpectError(LoadFrom(R"({"normalizer": {"type": "Precompiled"}, "pre_tokenizer":
      {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})"),
              StatusCode::kUnimplemented, "'normalizer' of type 'Precompiled'");
  ExpectError(LoadFrom(R"({"pre_tokenizer": {"type": "ByteLevel"}, "post_processor":
      {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<x>"}}]},
      "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})"),
              StatusCode::kInvalidArgument, "'<x>'");
  ExpectError(LoadFrom(R"({"pre_tokenizer": {"type": "BertPreTokenizer"}, "model":
      {"type": "WordPiece", "vocab": {"a": 0}, "max_input_chars_per_word": -1}})"),
              StatusCode::kInvalidArgument, "model.max_input_chars_per_word");
  ExpectError(LoadFrom(R"({"added_tokens": 5, "normalizer": {"type": "Replace",
      "pattern": {"String": " "}, "content": "▁"}, "model": {"type": "BPE",
      "vocab": {"a": 0}, "merges": []}})"), StatusCode::kInvalidArgument, "added_tokens");
  ExpectError(LoadFrom(TinyJson(), R"({"add_bos_token": "yes"})"), StatusCode::kInvalidArgument,
              "add_bos_token");
  ExpectError(LoadFrom(TinyJson(), R"({"bos_token": "<bos>"})"), StatusCode::kInvalidArgument,
              "<bos>");
  ExpectError(LoadFrom(TinyJson(), R"({"eos_token": 3})"), StatusCode::kInvalidArgument,
              "eos_token");
  TempDir empty;
  auto missing = LoadTokenizerFromHfFolder(empty.path());
  ExpectError(missing.status(), StatusCode::kNotFound, "tokenizer.json");
}

// A tiny byte-level BPE folder: ids of "a", "b", "ab", "Ġ" plus two added tokens.
std::string TinyByteLevelJson(const std::string& post = "null") {
  return R"({"added_tokens": [{"id": 4, "content": "<|end|>", "special": true},
      {"id": 5, "content": "<|eot|>", "special": true}],
    "normalizer": {"type": "NFC"},
    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"Regex": " ?\\p{L}+|\\s+"}, "behavior": "Isolated"},
      {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]},
    "post_processor": )" + post + R"(,
    "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "<|end|>": 4,
      "<|eot|>": 5, "Ġab": 6}, "merges": ["a b", "Ġ ab"]}})";
}

TEST(HfLoaderTest, ByteLevelFolderWithGenerationConfig) {
  TempDir dir;
  std::ofstream(dir.File("tokenizer.json")) << TinyByteLevelJson(
      R"({"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|end|>"}},
          {"Sequence": {"id": "A"}}], "special_tokens": {"<|end|>": {"ids": [4]}}})");
  std::ofstream(dir.File("tokenizer_config.json")) << R"({"eos_token": "<|end|>"})";
  std::ofstream(dir.File("generation_config.json")) << R"({"eos_token_id": [4, 5]})";
  auto tok = LoadTokenizerFromHfFolder(dir.path());
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  EXPECT_EQ((*tok)->vocab().model, "gpt2");
  EXPECT_EQ((*tok)->Encode("ab ab", true), (std::vector<int32_t>{4, 2, 6}));
  EXPECT_EQ((*tok)->Encode("ab<|eot|>", false, true), (std::vector<int32_t>{2, 5}));
  EXPECT_EQ((*tok)->Decode({2, 6, 5}), "ab ab<|eot|>");
  EXPECT_TRUE((*tok)->IsEndOfGeneration(4));
  EXPECT_TRUE((*tok)->IsEndOfGeneration(5));
  EXPECT_FALSE((*tok)->IsEndOfGeneration(2));
  // Invalid UTF-8 becomes U+FFFD before tokenizing; its bytes are not in this vocabulary.
  EXPECT_EQ((*tok)->Encode("a\xFF", false), (*tok)->Encode("a\xEF\xBF\xBD", false));

  std::ofstream(dir.File("generation_config.json")) << R"({"eos_token_id": 5})";
  tok = LoadTokenizerFromHfFolder(dir.path());
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  EXPECT_TRUE((*tok)->IsEndOfGeneration(5));
  std::ofstream(dir.File("generation_config.json")) << R"({"eos_token_id": "x"})";
  const Status bad = LoadTokenizerFromHfFolder(dir.path()).status();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("generation_config.json: field 'eos_token_id'"), std::string::npos)
      << bad.message();
}

}  // namespace
}  // namespace miaotui::tokenizer
