// llama.cpp's tokenizer vectors for the byte-level BPE, WordPiece and Phi-3 vocabularies
// (../shared/fixtures/tokenizer/*.gguf.{inp,out}; add_special and parse_special off), and the
// vocab-only GGUFs of other byte-level BPE families.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"
#include "tokenizer/tokenizer.h"
#include "base/utf8.h"
#include "tokenizer_test_util.h"

namespace miaotui::tokenizer {
namespace {

using ::miaotui::testing::SharedPath;

// Runs every vector of `name`; returns the number that passed.
int RunVectors(const std::string& name, size_t expected_cases) {
  const std::string base = "fixtures/tokenizer/" + name;
  std::unique_ptr<Tokenizer> tok = LoadSharedGguf(base);
  if (tok == nullptr) return -1;
  const std::vector<Case> cases = ReadCases(SharedPath(base));
  EXPECT_EQ(cases.size(), expected_cases);
  int passed = 0;
  for (const Case& c : cases) {
    const std::vector<int32_t> ids = tok->Encode(c.text, /*add_special=*/false);
    EXPECT_EQ(ids, c.ids) << name << " text: '" << c.text << "'";
    passed += ids == c.ids;
  }
  return passed;
}

class FixtureVectorsTest : public ::testing::TestWithParam<std::pair<const char*, int>> {};

TEST_P(FixtureVectorsTest, AllPass) {
  const std::string name = GetParam().first;
  MT_REQUIRE_SHARED("fixtures/tokenizer/" + name);
  EXPECT_EQ(RunVectors(name, GetParam().second), GetParam().second);
}

INSTANTIATE_TEST_SUITE_P(Vocabs, FixtureVectorsTest,
                         ::testing::Values(std::pair{"ggml-vocab-gpt-2.gguf", 46},
                                           std::pair{"ggml-vocab-starcoder.gguf", 46},
                                           std::pair{"ggml-vocab-bert-bge.gguf", 46},
                                           std::pair{"ggml-vocab-phi-3.gguf", 46}));

// Byte-level BPE decodes back to the input bytes (no normalization in GPT-2's pipeline).
TEST(FixtureVectorsTest, Gpt2RoundTrip) {
  const std::string base = "fixtures/tokenizer/ggml-vocab-gpt-2.gguf";
  MT_REQUIRE_SHARED(base);
  std::unique_ptr<Tokenizer> tok = LoadSharedGguf(base);
  ASSERT_NE(tok, nullptr);
  for (const Case& c : ReadCases(SharedPath(base))) {
    EXPECT_EQ(tok->Decode(tok->Encode(c.text, false)), SanitizeUtf8(c.text));
  }
}

class VocabOnlyTest : public ::testing::TestWithParam<const char*> {};

TEST_P(VocabOnlyTest, LoadsAndTokenizes) {
  const std::string rel = std::string("fixtures/tokenizer/vocab-only/") + GetParam();
  MT_REQUIRE_SHARED(rel);
  std::unique_ptr<Tokenizer> tok = LoadSharedGguf(rel);
  ASSERT_NE(tok, nullptr);
  const std::vector<int32_t> ids = tok->Encode("Hello world", /*add_special=*/false);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(tok->Decode(ids), "Hello world");
  const std::string mixed = "Hello 世界 123456 \xF0\x9F\xA6\x99  \n\n x";
  EXPECT_EQ(tok->Decode(tok->Encode(mixed, false)), mixed);
}

INSTANTIATE_TEST_SUITE_P(Vocabs, VocabOnlyTest,
                         ::testing::Values("ggml-vocab-deepseek-llm.gguf",
                                           "ggml-vocab-deepseek-coder.gguf",
                                           "ggml-vocab-falcon.gguf", "ggml-vocab-mpt.gguf",
                                           "ggml-vocab-refact.gguf"));

}  // namespace
}  // namespace miaotui::tokenizer
