// miaotui's perplexity against llama-perplexity's golden values (../shared/golden, README
// section 4: 128-token windows, BOS first, second half scored, F16 KV cache), and the scoring
// helpers on hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>

#include "../models/golden_util.h"
#include "compress/perplexity.h"
#include "compress/token_scores.h"
#include "test_util.h"

namespace miaotui {
namespace {

using testing::SharedPath;

TEST(TokenScoresTest, LogProbKlAndArgMax) {
  const float uniform[4] = {0, 0, 0, 0};
  EXPECT_NEAR(compress::LogProbOf(uniform, 4, 2), std::log(0.25), 1e-12);
  const float peaked[4] = {0, 0, std::log(2.0f), 0};
  EXPECT_NEAR(compress::LogProbOf(peaked, 4, 2), std::log(0.4), 1e-7);
  EXPECT_NEAR(compress::KlDivergence(uniform, uniform, 4), 0.0, 1e-12);
  // KL(uniform || peaked) = sum 0.25 * log(0.25 / q_i).
  const double want = 0.25 * (3 * std::log(0.25 / 0.2) + std::log(0.25 / 0.4));
  EXPECT_NEAR(compress::KlDivergence(uniform, peaked, 4), want, 1e-7);
  EXPECT_EQ(compress::ArgMax(peaked, 4), 2);
  EXPECT_EQ(compress::ArgMax(uniform, 4), 0);
  compress::ScoreStats s;
  for (double v : {1.0, 2.0, 3.0, 4.0}) s.Add(v);
  EXPECT_DOUBLE_EQ(s.Mean(), 2.5);
  EXPECT_NEAR(s.StdError(), std::sqrt(1.25 / 3), 1e-12);
}

std::string GoldenText() {
  std::ifstream in(SharedPath("golden/tinyshakespeare-first40KiB.txt"), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs the golden setting on `model_rel` and compares with golden/<golden>/manifest.json: the
// final estimate within 0.1 % (the bar), the running value after every chunk within
// `running_tol` (relative). For the quantized random-weight models the first chunks average
// only 63 near-uniform token probabilities, and llama.cpp's rounding ties in the 8-bit
// activations (golden README section 6) move single tokens, so early running values may differ
// by ~0.2 % while the final estimate agrees to 0.005 %.
void ExpectGoldenPerplexity(const std::string& model_rel, const std::string& golden,
                            double running_tol = 1e-3) {
  auto loaded = models::LoadModel(SharedPath(model_rel));
  if (!loaded.ok() && loaded.status().code() == StatusCode::kUnimplemented) {
    GTEST_SKIP() << model_rel << " does not load in this build yet: "
                 << loaded.status().message();
  }
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  nlohmann::json want = testing::ReadManifest(golden)["perplexity"];
  compress::PerplexityOptions o;
  o.n_ctx = 128;
  o.n_threads = 2;
  o.kv_type = DType::kF16;
  auto r = compress::Perplexity(**loaded, nullptr, GoldenText(), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->n_chunks, want["n_chunks"].get<int64_t>());
  EXPECT_EQ(r->n_scored, r->n_chunks * 63);
  const double ppl = want["final_ppl"].get<double>();
  EXPECT_NEAR(r->ppl, ppl, 1e-3 * ppl) << golden;
  EXPECT_NEAR(r->ppl_error, want["final_ppl_stderr"].get<double>(), 1e-2 * r->ppl_error);
  const auto running = want["running_ppl_after_each_chunk"].get<std::vector<double>>();
  ASSERT_EQ(r->running_ppl.size(), running.size());
  for (size_t i = 0; i < running.size(); ++i) {
    EXPECT_NEAR(r->running_ppl[i], running[i], running_tol * running[i]) << "chunk " << i + 1;
  }
}

TEST(PerplexityGoldenTest, Stories260K) {
  MT_REQUIRE_SHARED("golden/stories260K/manifest.json");
  ExpectGoldenPerplexity("models/stories260K.gguf", "stories260K");
}

TEST(PerplexityGoldenTest, QuantTestQ8_0) {
  MT_REQUIRE_SHARED("golden/quant-test-Q8_0/manifest.json");
  ExpectGoldenPerplexity("models/quant-test-Q8_0.gguf", "quant-test-Q8_0", 5e-3);
}

TEST(PerplexityGoldenTest, QuantTestQ4_0) {
  MT_REQUIRE_SHARED("golden/quant-test-Q4_0/manifest.json");
  ExpectGoldenPerplexity("models/quant-test-Q4_0.gguf", "quant-test-Q4_0", 5e-3);
}

TEST(PerplexityTest, KlAgainstItselfIsZeroAndTooShortTextIsRefused) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  auto m = models::LoadModel(SharedPath("models/stories260K.gguf"));
  ASSERT_TRUE(m.ok()) << m.status().message();
  compress::PerplexityOptions o;
  o.n_ctx = 64;
  o.n_chunks = 3;
  o.n_threads = 2;
  auto r = compress::Perplexity(**m, m->get(), GoldenText(), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->n_chunks, 3);
  EXPECT_EQ(r->n_scored, 3 * 31);
  EXPECT_NEAR(r->mean_kl, 0.0, 1e-9);
  EXPECT_EQ(r->top1_agree, 1.0);
  EXPECT_DOUBLE_EQ(r->base_ppl, r->ppl);
  auto short_text = compress::Perplexity(**m, nullptr, "Once upon a time", o);
  ASSERT_FALSE(short_text.ok());
  EXPECT_NE(short_text.status().message().find("needs at least 128"), std::string::npos)
      << short_text.status().message();
}

}  // namespace
}  // namespace miaotui
