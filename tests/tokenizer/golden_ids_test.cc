// The token ids of the GPT-2 and BERT golden prompts (../shared/golden/*/manifest.json, made by
// llama.cpp with add_special on), from the GGUF files and from the Hugging Face folders; and
// the token pieces' exact bytes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace miaotui::tokenizer {
namespace {

using ::miaotui::testing::SharedPath;

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

struct GoldenCase {
  const char* golden;
  const char* gguf;
  const char* hf;
};

class GoldenIdsTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenIdsTest, GgufAndHfGiveLlamaCppIds) {
  const GoldenCase& g = GetParam();
  const std::string manifest = std::string("golden/") + g.golden + "/manifest.json";
  MT_REQUIRE_SHARED(manifest);
  MT_REQUIRE_SHARED(std::string("models/") + g.hf);
  const nlohmann::json m = nlohmann::json::parse(ReadFileToString(SharedPath(manifest)));
  std::unique_ptr<Tokenizer> gguf = LoadSharedGguf(std::string("models/") + g.gguf);
  ASSERT_NE(gguf, nullptr);
  auto hf = LoadTokenizerFromHfFolder(SharedPath(std::string("models/") + g.hf));
  ASSERT_TRUE(hf.ok()) << hf.status().message();
  ASSERT_FALSE(m["prompts"].empty());
  for (const auto& p : m["prompts"]) {
    const std::string text = FromHex(p["text_hex"].get<std::string>());
    const auto want = p["tokens"].get<std::vector<int32_t>>();
    EXPECT_EQ(gguf->Encode(text, /*add_special=*/true), want) << "GGUF: " << text;
    EXPECT_EQ((*hf)->Encode(text, /*add_special=*/true), want) << "HF: " << text;
    const auto pieces = p["token_pieces_hex"].get<std::vector<std::string>>();
    ASSERT_EQ(pieces.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(gguf->TokenToPiece(want[i]), FromHex(pieces[i])) << "token " << want[i];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, GoldenIdsTest,
    ::testing::Values(GoldenCase{"gpt2-test-f16", "gpt2-test-f16.gguf", "gpt2-test-hf"},
                      GoldenCase{"bert-test-f16", "bert-test-f16.gguf", "bert-test-hf"}));

TEST(GoldenIdsTest, SpecialIdsFromBothForms) {
  MT_REQUIRE_SHARED("models/gpt2-test-hf");
  auto hf = LoadTokenizerFromHfFolder(SharedPath("models/gpt2-test-hf"));
  ASSERT_TRUE(hf.ok()) << hf.status().message();
  EXPECT_EQ((*hf)->eos_id(), 50256);
  EXPECT_TRUE((*hf)->IsEndOfGeneration(50256));
  EXPECT_FALSE((*hf)->IsEndOfGeneration(198));
  // parse_special: "<|endoftext|>" in the text is the special token only when asked.
  EXPECT_EQ((*hf)->Encode("a<|endoftext|>b", false, /*parse_special=*/true),
            (std::vector<int32_t>{64, 50256, 65}));
  EXPECT_NE((*hf)->Encode("a<|endoftext|>b", false, false).size(), 3u);
  std::unique_ptr<Tokenizer> gguf = LoadSharedGguf("models/gpt2-test-f16.gguf");
  ASSERT_NE(gguf, nullptr);
  EXPECT_TRUE(gguf->IsEndOfGeneration(50256));
  EXPECT_EQ(gguf->Encode("a<|endoftext|>b", false, true), (std::vector<int32_t>{64, 50256, 65}));

  auto bert = LoadTokenizerFromHfFolder(SharedPath("models/bert-test-hf"));
  ASSERT_TRUE(bert.ok()) << bert.status().message();
  EXPECT_EQ((*bert)->vocab().cls_id, 101);
  EXPECT_EQ((*bert)->vocab().sep_id, 102);
  EXPECT_EQ((*bert)->Encode("[CLS] hi [SEP]", false, true), (std::vector<int32_t>{101, 7632, 102}));
  auto txt = LoadWordPieceVocabTxt(SharedPath("models/bert-test-hf/vocab.txt"));
  ASSERT_TRUE(txt.ok()) << txt.status().message();
  EXPECT_EQ((*txt)->Encode("Hello, World!", true), (*bert)->Encode("Hello, World!", true));
}

}  // namespace
}  // namespace miaotui::tokenizer
