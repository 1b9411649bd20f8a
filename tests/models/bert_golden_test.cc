// BERT against llama.cpp's goldens (../shared/golden/bert-test-f16), from the GGUF and the Hugging
// Face folder. llama.cpp rounds activations to F16 for F16 weights and uses the tanh GELU; we use
// float32 and the model's own (erf) GELU, so pooled vectors agree to about 6e-4 and per-token
// states to about 2e-3 (golden README sections 5-6). Tolerances: 1e-3 pooled, 3e-3 per token,
// cosine similarity >= 0.99999.
#include <gtest/gtest.h>

#include <cmath>

#include "golden_util.h"
#include "runtime/embedder.h"

namespace miaotui {
namespace {

using testing::LoadOrDie;
using testing::ReadRawArray;
using testing::SharedPath;

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

class BertGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BertGoldenTest, PooledAndTokenStatesMatch) {
  MT_REQUIRE_SHARED("golden/bert-test-f16/manifest.json");
  auto model = LoadOrDie(GetParam());
  ASSERT_TRUE(model);
  ASSERT_TRUE(model->info().is_encoder);
  nlohmann::json manifest = testing::ReadManifest("bert-test-f16");
  const std::string dir = SharedPath("golden/bert-test-f16/");
  runtime::EmbedOptions eo;
  eo.n_threads = 2;
  auto embedder = runtime::Embedder::Create(*model, eo);
  ASSERT_TRUE(embedder.ok()) << embedder.status().message();
  std::vector<std::vector<int32_t>> all;
  std::vector<std::vector<float>> want_pooled;
  for (const auto& p : manifest["prompts"]) {
    const std::string id = p["id"];
    SCOPED_TRACE(GetParam() + " prompt " + id);
    std::vector<int32_t> ids = ReadRawArray<int32_t>(dir + id + ".tokens.i32");
    EXPECT_EQ(model->tokenizer().Encode(p["text"].get<std::string>(), true), ids);
    std::vector<float> want = ReadRawArray<float>(dir + id + ".pooled.f32");
    auto got = (*embedder)->Embed({ids});
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_LT(testing::MaxAbsDiff((*got)[0], want), 1e-3f);
    EXPECT_GE(Cosine((*got)[0], want), 0.99999);
    auto states = (*embedder)->TokenStates(ids);
    ASSERT_TRUE(states.ok());
    EXPECT_LT(testing::MaxAbsDiff(*states, ReadRawArray<float>(dir + id + ".token_embd.f32")), 3e-3f);
    all.push_back(ids);
    want_pooled.push_back(want);
  }
  // All prompts in one packed batch give the same vectors as one at a time.
  auto batched = (*embedder)->Embed(all);
  ASSERT_TRUE(batched.ok());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_LT(testing::MaxAbsDiff((*batched)[i], want_pooled[i]), 1e-3f) << "batched input " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Goldens, BertGoldenTest,
                         ::testing::Values("models/bert-test-f16.gguf", "models/bert-test-hf"),
                         [](const auto& info) {
                           return info.param.find("hf") != std::string::npos ? "hf" : "gguf";
                         });

TEST(BertEmbedderTest, OverlongInputIsRefusedOrTruncated) {
  MT_REQUIRE_SHARED("models/bert-test-f16.gguf");
  auto model = LoadOrDie("models/bert-test-f16.gguf");
  ASSERT_TRUE(model);
  std::vector<int32_t> ids(600, 1000);
  ids.front() = 101;
  ids.back() = 102;
  runtime::EmbedOptions eo;
  auto refuse = runtime::Embedder::Create(*model, eo);
  auto r = (*refuse)->Embed({ids});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("512 positions"), std::string::npos) << r.status().message();
  eo.truncate = true;
  eo.normalize = true;
  auto cut = runtime::Embedder::Create(*model, eo);
  auto t = (*cut)->Embed({ids});
  ASSERT_TRUE(t.ok()) << t.status().message();
  double norm = 0;
  for (float x : (*t)[0]) norm += x * x;
  EXPECT_NEAR(norm, 1.0, 1e-5);
}

}  // namespace
}  // namespace miaotui
