// Every ../shared/models/quant-test-<TYPE>.gguf (random weights; see ../shared/golden/README.md
// section 3) against llama.cpp's goldens: token ids exactly; logits at every prompt position
// within a per-type tolerance; the top-1 token at every position equal, except where the
// golden's lead of the top token over the runner-up is below twice the tolerance (a documented
// near-tie: such positions are counted and printed); greedy continuations token for token up to
// the first step whose recorded lead is below the case's greedy_lead (see QuantCase). F32 KV
// cache, as the goldens.
//
// Tolerances. Measured max |ours - golden| over all logits of the 5 prompts, per kernel path
// (scalar / AVX2 / AVX-512 VNNI, MIAOTUI_ISA=...):
//   Q4_0 0.054/0.054/0.054  Q4_1 0.037/0/0  Q5_0 0.060/0.060/0.060  Q5_1 0.033/0/0
//   Q8_0 4.8e-7/0/0  Q2_K 9.5e-7/1.2e-6/9.5e-7  Q3_K_M 9.5e-7 (all)  Q4_K_S 0.029/0.035/0.029
//   Q4_K_M 7.2e-7/9.5e-7/9.5e-7  Q5_K_M 0.038 (all)  Q6_K 0.069/0.069/1.2e-6
//   IQ4_NL 0.040/0/0  F16 2.1e-3  BF16 1.8e-2.
// Why: we quantize activations exactly as llama.cpp's x86 path (Q8_0 / Q8_1 / Q8_K, ties to
// even) and the integer block sums are exact, so a single matmul agrees to ~3e-7. What is left
// is float32 summation order (block-scale accumulation, norms, attention): when a value lands
// within an ulp of a rounding tie of the next activation quantization (ties really occur in
// layer 0, where token_embd is quantized too), it can round one step the other way, which
// moves logits by up to ~0.1 (README section 6). Where none flips, we are within ~1e-6. So:
// 1e-5 for the formats measured at <= 1.2e-6 on every path (Q8_0, Q2_K, Q3_K_M, Q4_K_M), and
// 0.15 (the README's ~0.1 tie effect, 2x our largest measurement) for the others. F16: llama.cpp
// rounds every activation to F16 before an F16 matmul, we keep float32 (~3e-3): 5e-3. BF16:
// activations rounded to BF16 (~2e-2): 4e-2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "golden_util.h"

namespace miaotui {
namespace {

using testing::LoadOrDie;
using testing::MaxAbsDiff;
using testing::PromptLogits;
using testing::ReadRawArray;
using testing::SharedPath;

struct QuantCase {
  const char* type;  // the <TYPE> of quant-test-<TYPE>
  float tol;         // logits, absolute
  // Greedy ids are compared up to the first step whose golden lead is below this. For quantized
  // weights it is the tie effect (0.1), not the tolerance: a tie flip can happen at any later
  // decode step, and one did (Q8_0 prompt 0 step 25, lead 5e-4, ids differ, although every
  // prompt logit is within 1e-6).
  float greedy_lead = 0.1f;
};

// argmax with ties to the lowest id, and the lead over the runner-up.
void Top2(const float* v, int64_t n, int64_t* best, float* lead) {
  int64_t b = 0;
  for (int64_t i = 1; i < n; ++i) {
    if (v[i] > v[b]) b = i;
  }
  float second = -INFINITY;
  for (int64_t i = 0; i < n; ++i) {
    if (i != b) second = std::max(second, v[i]);
  }
  *best = b;
  *lead = v[b] - second;
}

class QuantGoldenTest : public ::testing::TestWithParam<QuantCase> {};

TEST_P(QuantGoldenTest, LogitsTop1AndGreedyMatch) {
  const QuantCase& c = GetParam();
  const std::string golden = std::string("quant-test-") + c.type;
  MT_REQUIRE_SHARED("golden/" + golden + "/manifest.json");
  auto model = LoadOrDie("models/" + golden + ".gguf");
  ASSERT_TRUE(model);
  nlohmann::json manifest = testing::ReadManifest(golden);
  const std::string dir = SharedPath("golden/" + golden + "/");
  float max_diff = 0;
  int near_ties = 0, greedy_compared = 0;
  for (const auto& p : manifest["prompts"]) {
    const std::string id = p["id"];
    SCOPED_TRACE(golden + " prompt " + id);
    std::vector<int32_t> ids = model->tokenizer().Encode(p["text"].get<std::string>(), true);
    ASSERT_EQ(ids, ReadRawArray<int32_t>(dir + id + ".tokens.i32"));

    const std::vector<float> want = ReadRawArray<float>(dir + id + ".logits.f32");
    const std::vector<float> got = PromptLogits(*model, ids, 1);
    ASSERT_EQ(got.size(), want.size());
    const float diff = MaxAbsDiff(got, want);
    max_diff = std::max(max_diff, diff);
    EXPECT_LT(diff, c.tol);
    const int64_t n_vocab = static_cast<int64_t>(want.size() / ids.size());
    for (size_t pos = 0; pos < ids.size(); ++pos) {
      int64_t want_top, got_top;
      float want_lead, got_lead;
      Top2(want.data() + pos * n_vocab, n_vocab, &want_top, &want_lead);
      Top2(got.data() + pos * n_vocab, n_vocab, &got_top, &got_lead);
      if (want_lead < 2 * c.tol) {
        ++near_ties;
        continue;
      }
      EXPECT_EQ(got_top, want_top) << "position " << pos << ", golden lead " << want_lead;
    }

    const std::vector<int32_t> greedy = testing::GreedyTokens(*model, ids);
    const std::vector<int32_t> want_greedy = ReadRawArray<int32_t>(dir + id + ".greedy.i32");
    const auto& lead = p["greedy_top1_minus_top2"];
    for (size_t i = 0; i < want_greedy.size() && i < greedy.size(); ++i) {
      if (lead[i].get<double>() < std::max(2 * c.tol, c.greedy_lead)) break;
      ASSERT_EQ(greedy[i], want_greedy[i]) << "greedy step " << i;
      ++greedy_compared;
    }
  }
  std::printf("[ quant-golden ] %-7s max |logit diff| %.3g (tol %.3g), near-tie positions %d, "
              "greedy steps compared %d\n",
              c.type, max_diff, c.tol, near_ties, greedy_compared);
}

INSTANTIATE_TEST_SUITE_P(
    Goldens, QuantGoldenTest,
    ::testing::Values(QuantCase{"Q4_0", 0.15f}, QuantCase{"Q4_1", 0.15f},
                      QuantCase{"Q5_0", 0.15f}, QuantCase{"Q5_1", 0.15f},
                      QuantCase{"Q8_0", 1e-5f}, QuantCase{"Q2_K", 1e-5f},
                      QuantCase{"Q3_K_M", 1e-5f}, QuantCase{"Q4_K_S", 0.15f},
                      QuantCase{"Q4_K_M", 1e-5f}, QuantCase{"Q5_K_M", 0.15f},
                      QuantCase{"Q6_K", 0.15f}, QuantCase{"IQ4_NL", 0.15f},
                      QuantCase{"F16", 5e-3f, 1e-2f}, QuantCase{"BF16", 4e-2f, 8e-2f}),
    [](const auto& info) { return std::string(info.param.type); });

}  // namespace
}  // namespace miaotui
