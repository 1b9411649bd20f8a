#include "runtime/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace miaotui::runtime {
namespace {

TEST(SamplerTest, GreedyTakesArgmaxLowestIdOnTies) {
  std::vector<float> l = {0.1f, 3.0f, -1.0f, 3.0f};
  SamplingParams p;
  p.temperature = 0;
  Sampler s(p);
  EXPECT_EQ(s.Sample(l, {}), 1);
  EXPECT_EQ(Argmax(l), 1);
}

TEST(SamplerTest, RepetitionPenaltyDemotesSeenTokens) {
  std::vector<float> l = {2.0f, 1.9f, 0.0f};
  SamplingParams p;
  p.temperature = 0;
  p.repeat_penalty = 1.5f;
  Sampler s(p);
  std::vector<int32_t> hist = {0};
  EXPECT_EQ(s.Sample(l, hist), 1);
}

TEST(SamplerTest, TopKOneIsGreedyAndSeedIsDeterministic) {
  std::vector<float> l = {0.5f, 0.7f, 0.6f, 0.1f};
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 1;
  Sampler s(p);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(s.Sample(l, {}), 1);
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0;
  p.seed = 9;
  Sampler a(p), b(p);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(a.Sample(l, {}), b.Sample(l, {}));
}

TEST(SamplerTest, FrequenciesFollowSoftmaxAtTemperatureOne) {
  std::vector<float> l = {0.0f, std::log(2.0f), std::log(5.0f)};  // p = 1/8, 2/8, 5/8
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0;
  p.seed = 1;
  Sampler s(p);
  std::vector<int> counts(3, 0);
  const int n = 40000;
  for (int i = 0; i < n; ++i) counts[s.Sample(l, {})]++;
  EXPECT_NEAR(counts[0] / double(n), 0.125, 0.01);
  EXPECT_NEAR(counts[1] / double(n), 0.25, 0.01);
  EXPECT_NEAR(counts[2] / double(n), 0.625, 0.01);
}

TEST(SamplerTest, TopPAndMinPCutTheTail) {
  std::vector<float> l = {std::log(0.6f), std::log(0.3f), std::log(0.1f)};
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 0.5f;  // only token 0 is needed to reach 0.5
  p.min_p = 0;
  Sampler s(p);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(s.Sample(l, {}), 0);
  p.top_p = 1.0f;
  p.min_p = 0.4f;  // keeps p >= 0.24: tokens 0 and 1
  Sampler m(p);
  for (int i = 0; i < 200; ++i) EXPECT_NE(m.Sample(l, {}), 2);
}

TEST(SamplerTest, ValidateNamesTheOption) {
  SamplingParams p;
  p.top_p = 1.5f;
  EXPECT_NE(p.Validate().message().find("--top-p"), std::string::npos);
  p = SamplingParams{};
  p.temperature = -1;
  EXPECT_NE(p.Validate().message().find("--temp"), std::string::npos);
}

TEST(SamplerTest, PresenceAndFrequencyPenaltiesCountGeneratedTokensOnly) {
  // Token 0 leads by 1.0; it was generated twice (history[1..]), token 1 appears in the prompt.
  std::vector<float> l = {2.0f, 1.0f, 0.5f};
  std::vector<int32_t> hist = {1, 0, 0};
  SamplingParams p;
  p.temperature = 0;
  p.presence_penalty = 0.6f;  // 2.0 - 0.6 = 1.4 > 1.0: still token 0
  EXPECT_EQ(Sampler(p).Sample(l, hist, 1), 0);
  p.presence_penalty = 0;
  p.frequency_penalty = 0.6f;  // 2.0 - 2 * 0.6 = 0.8 < 1.0: token 1
  EXPECT_EQ(Sampler(p).Sample(l, hist, 1), 1);
  // The prompt's token 1 is not penalized; counting from 0 it would be (1.0 - 0.6 = 0.4).
  p.frequency_penalty = 0;
  p.presence_penalty = 1.5f;  // 0.5 vs 1.0 vs 0.5
  EXPECT_EQ(Sampler(p).Sample(l, hist, 1), 1);
  EXPECT_EQ(Sampler(p).Sample(l, hist, 0), 0);  // ties 0.5 / -0.5 / 0.5: lowest id
  p.presence_penalty = -0.5f;  // negative values encourage repetition
  EXPECT_EQ(Sampler(p).Sample(std::vector<float>{1.0f, 1.2f}, std::vector<int32_t>{0}, 0), 0);
  p.presence_penalty = 2.5f;
  EXPECT_NE(p.Validate().message().find("presence_penalty"), std::string::npos);
  p.presence_penalty = 0;
  p.frequency_penalty = -3;
  EXPECT_NE(p.Validate().message().find("frequency_penalty"), std::string::npos);
}

// Logits from a model with NaN weights or scales (docs/ERRORS.md): every mode still returns a
// valid id, preferring finite logits, and never sorts NaN (undefined behaviour in std::sort).
TEST(SamplerTest, NanAndInfiniteLogitsGiveAValidId) {
  const float nan = std::nanf("");
  std::vector<float> logits(300, nan);
  logits[7] = 1.0f;
  logits[9] = -HUGE_VALF;
  for (float temp : {0.0f, 0.7f}) {
    for (int32_t top_k : {0, 5}) {
      SamplingParams p;
      p.temperature = temp;
      p.top_k = top_k;
      p.repeat_penalty = 1.1f;
      Sampler s(p);
      std::vector<int32_t> history = {7, 3};
      EXPECT_EQ(s.Sample(logits, history), 7) << temp << " " << top_k;
    }
  }
  std::vector<float> all_nan(50, nan);
  std::vector<float> with_inf(50, 0.0f);
  with_inf[20] = HUGE_VALF;
  SamplingParams p;
  p.temperature = 0.8f;
  Sampler s(p);
  const int32_t id = s.Sample(all_nan, {});
  EXPECT_TRUE(id >= 0 && id < 50) << id;
  EXPECT_EQ(s.Sample(with_inf, {}), 20);
}

}  // namespace
}  // namespace miaotui::runtime
