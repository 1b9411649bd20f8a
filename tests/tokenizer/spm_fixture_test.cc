// llama.cpp's SentencePiece tokenizer vectors and the stories260K golden prompts.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace miaotui::tokenizer {
namespace {

using ::miaotui::testing::SharedPath;

// The .inp/.out pairs as llama.cpp's test-tokenizer-0 reads them: strings separated by
// "\n__ggml_vocab_test__\n" (the text after the last separator is not a case), one line of
// space-separated ids per string.
struct Case {
  std::string text;
  std::vector<int32_t> ids;
};

std::vector<Case> ReadCases(const std::string& base) {
  std::vector<Case> cases;
  const std::string inp = ReadFileToString(base + ".inp");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  size_t start = 0;
  for (size_t at; (at = inp.find(sep, start)) != std::string::npos; start = at + sep.size()) {
    texts.push_back(inp.substr(start, at - start));
  }
  std::ifstream out(base + ".out");
  std::string line;
  for (const std::string& t : texts) {
    if (!std::getline(out, line)) break;
    Case c{t, {}};
    std::istringstream ls(line);
    for (int32_t id; ls >> id;) c.ids.push_back(id);
    cases.push_back(std::move(c));
  }
  return cases;
}

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
