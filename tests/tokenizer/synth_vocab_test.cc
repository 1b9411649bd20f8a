// GenerateSynthVocab: exact size, reachability of every piece, English round trips.
#include "tokenizer/synth_vocab.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_set>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {
namespace {

constexpr const char* kParagraph =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the "
    "park with her dog, Max. One day, they found 3 red balls under a big tree! \"Look,\" said "
    "Lily, \"we can share them.\" Max wagged his tail; they played together until night.\n"
    "The end (really: 100%).";

class SynthVocabTest : public ::testing::TestWithParam<int32_t> {};

TEST_P(SynthVocabTest, ValidReachableAndRoundTrips) {
  const int32_t n = GetParam();
  const Vocab v = GenerateSynthVocab(n);
  ASSERT_EQ(static_cast<int32_t>(v.tokens.size()), n);
  ASSERT_EQ(v.scores.size(), v.tokens.size());
  ASSERT_EQ(v.types.size(), v.tokens.size());
  EXPECT_EQ(v.tokens[0], "<unk>");
  EXPECT_EQ(v.tokens[1], "<s>");
  EXPECT_EQ(v.tokens[2], "</s>");
  EXPECT_EQ(v.tokens[3], "<0x00>");
  EXPECT_EQ(v.tokens[258], "<0xFF>");
  EXPECT_EQ(v.types[258], TokenType::kByte);
  std::unordered_set<std::string> all(v.tokens.begin(), v.tokens.end());
  EXPECT_EQ(all.size(), v.tokens.size()) << "duplicate pieces";
  float prev_score = 1;
  EXPECT_EQ(v.tokens[kMinSynthVocab - 1], "~");  // the last single character
  for (size_t i = 259; i < v.tokens.size(); ++i) {
    ASSERT_EQ(v.types[i], TokenType::kNormal);
    EXPECT_LT(v.scores[i], prev_score);
    prev_score = v.scores[i];
    const std::string& t = v.tokens[i];
    // More than one UTF-8 character: some split into two earlier-listed pieces must exist.
    if (t == "\xE2\x96\x81" || t.size() == 1) continue;
    bool reachable = false;
    for (size_t k = 1; k < t.size() && !reachable; ++k) {
      reachable = all.count(t.substr(0, k)) && all.count(t.substr(k));
    }
    EXPECT_TRUE(reachable) << "piece " << i << " '" << t << "'";
  }
  auto tok = MakeTokenizer(v);
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  const std::vector<int32_t> ids = (*tok)->Encode(kParagraph, true);
  EXPECT_EQ(ids.front(), 1);
  EXPECT_EQ((*tok)->Decode(ids, /*skip_special=*/true), std::string(" ") + kParagraph);
  const size_t bytes = std::string(kParagraph).size();
  EXPECT_LE(ids.size(), bytes + 2) << "ASCII needed byte fallback";
  if (n >= 512) {
    EXPECT_LT(ids.size(), bytes * 2 / 3) << "pieces barely used";
  }
  if (n >= 4096) {
    EXPECT_LT(ids.size() * 5, bytes * 2) << "pieces barely used";
  }
  EXPECT_EQ((*tok)->Decode((*tok)->Encode("naïve 日本 🦙", false)), " naïve 日本 🦙");
}

INSTANTIATE_TEST_SUITE_P(Sizes, SynthVocabTest, ::testing::Values(kMinSynthVocab, 400, 512, 4096, 32000));

TEST(SynthVocabTest, DeterministicAndClamped) {
  EXPECT_EQ(GenerateSynthVocab(512).tokens, GenerateSynthVocab(512).tokens);
  EXPECT_EQ(GenerateSynthVocab(10).tokens.size(), static_cast<size_t>(kMinSynthVocab));
}

}  // namespace
}  // namespace miaotui::tokenizer
