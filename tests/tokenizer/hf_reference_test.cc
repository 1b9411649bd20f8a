// Reference fixtures from transformers.js (scripts/gen_tokenizer_fixtures.mjs) on a varied
// corpus, for the GPT-2 byte-level BPE, BERT WordPiece and Llama SentencePiece tokenizer.json
// files in ../shared/models. Hugging Face always recognises special-token strings, so these
// run with parse_special on, with and without add_special.
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

class HfReferenceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(HfReferenceTest, MatchesTransformersJs) {
  const std::string name = GetParam();
  MT_REQUIRE_SHARED("models/" + name);
  const std::string fixture = std::string(MIAOTUI_TOKENIZER_FIXTURES) + "/" + name + ".json";
  const nlohmann::json cases = nlohmann::json::parse(ReadFileToString(fixture));
  ASSERT_GE(cases.size(), 50u);
  auto tok = LoadTokenizerFromHfFolder(SharedPath("models/" + name));
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  size_t passed = 0;
  for (const auto& c : cases) {
    const std::string text = c["text"].get<std::string>();
    const auto want = c["ids"].get<std::vector<int32_t>>();
    const auto want_plain = c["ids_no_special"].get<std::vector<int32_t>>();
    const auto got = (*tok)->Encode(text, /*add_special=*/true, /*parse_special=*/true);
    const auto got_plain = (*tok)->Encode(text, /*add_special=*/false, /*parse_special=*/true);
    EXPECT_EQ(got, want) << name << " text: '" << text << "'";
    EXPECT_EQ(got_plain, want_plain) << name << " text: '" << text << "'";
    passed += got == want && got_plain == want_plain;
  }
  EXPECT_EQ(passed, cases.size()) << name;
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, HfReferenceTest,
                         ::testing::Values("gpt2-test-hf", "bert-test-hf", "stories260K-hf"));

}  // namespace
}  // namespace miaotui::tokenizer
