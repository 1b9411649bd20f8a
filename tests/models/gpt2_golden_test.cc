// GPT-2 against llama.cpp's goldens (../shared/golden/gpt2-test-f16), from the GGUF and from the
// Hugging Face folder. llama.cpp rounds activations to F16 before every F16 matrix product; we
// compute in float32, so logits agree to about 4e-3 (golden README section 6): the tolerance is
// 5e-3, top-1 must agree at every position, and greedy tokens up to the first step whose lead is
// within twice the tolerance.
#include <gtest/gtest.h>

#include "golden_util.h"
#include "runtime/generator.h"

namespace miaotui {
namespace {

using testing::LoadOrDie;
using testing::PromptLogits;
using testing::ReadRawArray;
using testing::SharedPath;

constexpr float kTol = 5e-3f;

class Gpt2GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(Gpt2GoldenTest, LogitsTopTokensAndGreedyMatch) {
  MT_REQUIRE_SHARED("golden/gpt2-test-f16/manifest.json");
  auto model = LoadOrDie(GetParam());
  ASSERT_TRUE(model);
  nlohmann::json manifest = testing::ReadManifest("gpt2-test-f16");
  const std::string dir = SharedPath("golden/gpt2-test-f16/");
  const int64_t n_vocab = model->info().n_vocab;
  ASSERT_EQ(n_vocab, 50257);
  for (const auto& p : manifest["prompts"]) {
    const std::string id = p["id"];
    SCOPED_TRACE(GetParam() + " prompt " + id);
    std::vector<int32_t> ids = ReadRawArray<int32_t>(dir + id + ".tokens.i32");
    EXPECT_EQ(model->tokenizer().Encode(p["text"].get<std::string>(), true), ids);
    std::vector<float> logits = PromptLogits(*model, ids, 2);
    ASSERT_EQ(logits.size(), ids.size() * n_vocab);

    std::vector<float> last = ReadRawArray<float>(dir + id + ".last_logits.f32");
    float max_diff = 0;
    for (int64_t v = 0; v < n_vocab; ++v) {
      max_diff = std::max(max_diff, std::fabs(logits[(ids.size() - 1) * n_vocab + v] - last[v]));
    }
    EXPECT_LT(max_diff, kTol);
    std::vector<int32_t> top_ids = ReadRawArray<int32_t>(dir + id + ".top20_ids.i32");
    std::vector<float> top_logits = ReadRawArray<float>(dir + id + ".top20_logits.f32");
    for (size_t pos = 0; pos < ids.size(); ++pos) {
      const float* row = &logits[pos * n_vocab];
      for (int k = 0; k < 20; ++k) {
        EXPECT_NEAR(row[top_ids[pos * 20 + k]], top_logits[pos * 20 + k], kTol)
            << "position " << pos << " rank " << k;
      }
      EXPECT_EQ(runtime::Argmax(std::span<const float>(row, n_vocab)), top_ids[pos * 20])
          << "top-1 at position " << pos;
    }

    const std::vector<int32_t> greedy = testing::GreedyTokens(*model, ids);
    std::vector<int32_t> want = ReadRawArray<int32_t>(dir + id + ".greedy.i32");
    const auto& lead = p["greedy_top1_minus_top2"];
    ASSERT_EQ(greedy.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      if (lead[i].get<double>() < 2 * kTol) break;
      ASSERT_EQ(greedy[i], want[i]) << "greedy step " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Goldens, Gpt2GoldenTest,
                         ::testing::Values("models/gpt2-test-f16.gguf", "models/gpt2-test-hf"),
                         [](const auto& info) {
                           return info.param.find("hf") != std::string::npos ? "hf" : "gguf";
                         });

}  // namespace
}  // namespace miaotui
