// The Llama models against llama.cpp's golden outputs (../shared/golden): token ids exactly,
// logits at every prompt position within 1e-4, greedy continuations token for token up to the
// first near-tie the manifest records. Also: 1 vs 2 threads, whole prompt vs token by token,
// GGUF vs Hugging Face folder.
#include <gtest/gtest.h>

#include "golden_util.h"
#include "runtime/generator.h"

namespace miaotui {
namespace {

using testing::LoadOrDie;
using testing::MaxAbsDiff;
using testing::PromptLogits;
using testing::ReadRawArray;
using testing::SharedPath;

constexpr float kLogitTol = 1e-4f;

struct GoldenCase {
  std::string golden;  // folder under golden/
  std::string model;   // path under shared/
};

class LlamaGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(LlamaGoldenTest, TokensLogitsAndGreedyMatch) {
  const GoldenCase& c = GetParam();
  MT_REQUIRE_SHARED("golden/" + c.golden + "/manifest.json");
  auto model = LoadOrDie(c.model);
  ASSERT_TRUE(model);
  nlohmann::json manifest = testing::ReadManifest(c.golden);
  const std::string dir = SharedPath("golden/" + c.golden + "/");
  for (const auto& p : manifest["prompts"]) {
    const std::string id = p["id"];
    SCOPED_TRACE(c.model + " prompt " + id);
    const std::string text = p["text"];
    std::vector<int32_t> ids = model->tokenizer().Encode(text, true);
    std::vector<int32_t> want_ids = ReadRawArray<int32_t>(dir + id + ".tokens.i32");
    ASSERT_EQ(ids, want_ids);

    std::vector<float> want = ReadRawArray<float>(dir + id + ".logits.f32");
    std::vector<float> got = PromptLogits(*model, ids, 1);
    ASSERT_EQ(got.size(), want.size());
    EXPECT_LT(MaxAbsDiff(got, want), kLogitTol);

    // Greedy continuation, compared up to the first step whose lead is within tolerance.
    const std::vector<int32_t> greedy = testing::GreedyTokens(*model, ids);
    std::vector<int32_t> want_greedy = ReadRawArray<int32_t>(dir + id + ".greedy.i32");
    const auto& lead = p["greedy_top1_minus_top2"];
    size_t compared = 0;
    for (size_t i = 0; i < want_greedy.size() && i < greedy.size(); ++i) {
      if (lead[i].get<double>() < 10 * kLogitTol) break;
      ASSERT_EQ(greedy[i], want_greedy[i]) << "greedy step " << i;
      ++compared;
    }
    EXPECT_GT(compared, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Goldens, LlamaGoldenTest,
    ::testing::Values(GoldenCase{"stories260K", "models/stories260K.gguf"},
                      GoldenCase{"stories260K", "models/stories260K-hf"},
                      GoldenCase{"quant-test-f32", "models/quant-test-f32.gguf"}),
    [](const auto& info) {
      std::string n = info.param.golden + "_" + info.param.model;
      for (char& ch : n) {
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

TEST(LlamaConsistencyTest, ThreadsBatchingAndFormatsAgree) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  auto gguf = LoadOrDie("models/stories260K.gguf");
  auto hf = LoadOrDie("models/stories260K-hf");
  ASSERT_TRUE(gguf && hf);
  std::vector<int32_t> ids = gguf->tokenizer().Encode("Lily and Tom went to the park. They saw", true);
  std::vector<float> base = PromptLogits(*gguf, ids, 1);
  EXPECT_LT(MaxAbsDiff(base, PromptLogits(*gguf, ids, 2)), kLogitTol) << "1 vs 2 threads";
  EXPECT_LT(MaxAbsDiff(base, PromptLogits(*gguf, ids, 3)), kLogitTol) << "1 vs 3 threads";
  EXPECT_LT(MaxAbsDiff(base, PromptLogits(*gguf, ids, 1, true)), kLogitTol) << "token by token";
  EXPECT_LT(MaxAbsDiff(base, PromptLogits(*gguf, ids, 2, true)), kLogitTol) << "2 threads, tokens";
  EXPECT_LT(MaxAbsDiff(base, PromptLogits(*hf, ids, 1)), kLogitTol) << "GGUF vs HF folder";
  // The F16 cache is an approximation; it must stay close.
  EXPECT_LT(MaxAbsDiff(base, PromptLogits(*gguf, ids, 2, false, DType::kF16)), 0.1f);
}

}  // namespace
}  // namespace miaotui
