// BertForSequenceClassification: a Hugging Face folder built from bert-test-hf (its encoder and
// pooler, verified elsewhere against goldens) plus a random 3-label classifier. The head must
// compute classifier(tanh(pooler([CLS] state))) exactly; checked in double from the encoder's
// own [CLS] state.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "base/half.h"
#include "formats/json_file.h"
#include "formats/safetensors.h"
#include "golden_util.h"
#include "runtime/embedder.h"

namespace miaotui {
namespace {

using testing::SharedPath;

TEST(BertClassifyTest, HeadMatchesDirectComputation) {
  MT_REQUIRE_SHARED("models/bert-test-hf/model.safetensors");
  testing::TempDir dir;
  const std::string src = SharedPath("models/bert-test-hf");
  for (const char* f : {"vocab.txt", "tokenizer.json", "tokenizer_config.json",
                        "special_tokens_map.json"}) {
    std::filesystem::copy_file(src + "/" + f, dir.File(f));
  }
  auto cfg = formats::ReadJsonFile(src + "/config.json");
  ASSERT_TRUE(cfg.ok());
  (*cfg)["architectures"] = {"BertForSequenceClassification"};
  (*cfg)["id2label"] = {{"0", "neg"}, {"1", "neutral"}, {"2", "pos"}};
  std::ofstream(dir.File("config.json")) << cfg->dump(2);

  auto st = formats::SafetensorsFile::Open(src + "/model.safetensors");
  ASSERT_TRUE(st.ok());
  std::vector<formats::SafetensorsWriteTensor> out;
  for (const auto& t : (*st)->tensors()) {
    out.push_back({"bert." + t.name, t.dtype_name, t.raw_shape, (*st)->Bytes(t).data()});
  }
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0, 0.2f);
  std::vector<float> cls_w(3 * 128), cls_b(3);
  for (float& x : cls_w) x = nd(rng);
  for (float& x : cls_b) x = nd(rng);
  out.push_back({"classifier.weight", "F32", {3, 128}, cls_w.data()});
  out.push_back({"classifier.bias", "F32", {3}, cls_b.data()});
  ASSERT_TRUE(formats::WriteSafetensors(dir.File("model.safetensors"), out).ok());

  auto model = models::LoadModel(dir.path());
  ASSERT_TRUE(model.ok()) << model.status().message();
  ASSERT_EQ((*model)->info().labels, (std::vector<std::string>{"neg", "neutral", "pos"}));
  auto embedder = runtime::Embedder::Create(**model, runtime::EmbedOptions{});
  ASSERT_TRUE(embedder.ok());
  const std::vector<std::string> texts = {"a wonderful, lovely day", "terrible.",
                                          "the cat sat on the mat"};
  std::vector<std::vector<int32_t>> ids;
  for (const auto& t : texts) ids.push_back((*model)->tokenizer().Encode(t, true));
  auto logits = (*embedder)->Classify(ids);
  ASSERT_TRUE(logits.ok()) << logits.status().message();

  // The pooler weights, read back from the source folder.
  auto pooler_w = (*st)->View(*(*st)->FindTensor("pooler.dense.weight"));
  auto pooler_b = (*st)->View(*(*st)->FindTensor("pooler.dense.bias"));
  ASSERT_TRUE(pooler_w.ok() && pooler_b.ok());
  auto f16 = [](const TensorView& v, int64_t i) {
    return static_cast<double>(HalfToFloat(static_cast<const uint16_t*>(v.data)[i]));
  };
  for (size_t i = 0; i < ids.size(); ++i) {
    auto states = (*embedder)->TokenStates(ids[i]);
    ASSERT_TRUE(states.ok());
    std::vector<double> pooled(128);
    for (int o = 0; o < 128; ++o) {
      double acc = f16(*pooler_b, o);
      for (int k = 0; k < 128; ++k) acc += f16(*pooler_w, o * 128 + k) * (*states)[k];
      pooled[o] = std::tanh(acc);
    }
    for (int c = 0; c < 3; ++c) {
      double want = cls_b[c];
      for (int k = 0; k < 128; ++k) want += cls_w[c * 128 + k] * pooled[k];
      EXPECT_NEAR((*logits)[i][c], want, 1e-4) << texts[i] << " label " << c;
    }
  }
  // A batch that packs all three gives the same logits as one by one.
  for (size_t i = 0; i < ids.size(); ++i) {
    auto one = (*embedder)->Classify({ids[i]});
    ASSERT_TRUE(one.ok());
    for (int c = 0; c < 3; ++c) EXPECT_NEAR((*one)[0][c], (*logits)[i][c], 1e-5);
  }
}

TEST(BertClassifyTest, PlainEncoderHasNoHead) {
  MT_REQUIRE_SHARED("models/bert-test-f16.gguf");
  auto model = models::LoadModel(SharedPath("models/bert-test-f16.gguf"));
  ASSERT_TRUE(model.ok());
  EXPECT_TRUE((*model)->info().labels.empty());
  auto embedder = runtime::Embedder::Create(**model, runtime::EmbedOptions{});
  auto r = (*embedder)->Classify({{101, 102}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("classification head"), std::string::npos);
}

}  // namespace
}  // namespace miaotui
