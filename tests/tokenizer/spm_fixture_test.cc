// llama.cpp's SentencePiece tokenizer vectors and the stories260K golden prompts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace miaotui::tokenizer {
namespace {

using ::miaotui::testing::SharedPath;

TEST(SpmFixtureTest, LlamaSpmVectors) {
  const std::string base = "fixtures/tokenizer/ggml-vocab-llama-spm.gguf";
  MT_REQUIRE_SHARED(base);
  std::unique_ptr<Tokenizer> tok = LoadSharedGguf(base);
  ASSERT_NE(tok, nullptr);
  const std::vector<Case> cases = ReadCases(SharedPath(base));
  ASSERT_EQ(cases.size(), 46u);
  int passed = 0;
  for (const Case& c : cases) {
    const std::vector<int32_t> ids = tok->Encode(c.text, /*add_special=*/false);
    EXPECT_EQ(ids, c.ids) << "text: '" << c.text << "'";
    passed += ids == c.ids;
    // Decoding gives the text back, with the dummy-prefix space.
    EXPECT_EQ(tok->Decode(ids), c.text.empty() ? "" : " " + c.text) << c.text;
  }
  EXPECT_EQ(passed, 46);
}

}  // namespace
}  // namespace miaotui::tokenizer
