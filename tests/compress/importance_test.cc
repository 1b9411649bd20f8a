// Calibration statistics on a real model: every matrix product's weight gets one positive
// importance per input column, and importance-weighted IQ4_NL lowers the KL divergence.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "compress/importance.h"
#include "compress/perplexity.h"
#include "compress/quantize.h"
#include "models/model.h"
#include "compress_test_util.h"
#include "test_util.h"

namespace miaotui {
namespace {

using testing::ReadAll;
using testing::SharedPath;
using testing::TempDir;

TEST(ImportanceTest, EveryMatmulWeightOfStories260K) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  compress::CalibrationOptions o;
  o.n_ctx = 64;
  o.n_chunks = 4;
  o.n_threads = 2;
  auto imp = compress::CollectImportance(SharedPath("models/stories260K.gguf"),
                                         ReadAll(SharedPath("golden/tinyshakespeare-first40KiB.txt")),
                                         o);
  ASSERT_TRUE(imp.ok()) << imp.status().message();
  EXPECT_EQ(imp->n_tokens, 4 * 64);
  EXPECT_EQ(imp->matrix.size(), 5u * 7 + 1);  // 7 matrices per layer + output
  for (const auto& [name, v] : imp->matrix) {
    EXPECT_EQ(v.size(), name.find("ffn_down") != std::string::npos ? 172u : 64u) << name;
    for (float x : v) EXPECT_GT(x, 0.f) << name;
  }
  EXPECT_EQ(imp->matrix.count("token_embd.weight"), 0u);  // a lookup, not a product
}

// The experiment of docs/BENCHMARKS.md on fewer windows (weights dequantized to F32, since
// quantized models may not run in this build).
TEST(ImportanceTest, CalibrationLowersKlDivergenceAtTheSameSize) {
  MT_REQUIRE_SHARED("data/tinyshakespeare.txt");
  const std::string model = SharedPath("models/stories260K.gguf");
  const std::string all = ReadAll(SharedPath("data/tinyshakespeare.txt"));
  compress::CalibrationOptions co;
  co.n_chunks = 32;
  co.n_threads = 2;
  auto imp = compress::CollectImportance(model, all.substr(40960), co);
  ASSERT_TRUE(imp.ok()) << imp.status().message();
  TempDir dir;
  auto base = models::LoadModel(model);
  ASSERT_TRUE(base.ok());
  double kl[2];
  uint64_t size[2];
  for (int calibrated = 0; calibrated < 2; ++calibrated) {
    compress::QuantizeOptions q;
    q.type = "IQ4_NL";
    q.n_threads = 2;
    q.importance = calibrated ? &imp->matrix : nullptr;
    auto r = compress::Quantize(model, dir.File("q.gguf"), q);
    ASSERT_TRUE(r.ok()) << r.status().message();
    size[calibrated] = r->out_file_bytes;
    q.type = "F32";
    q.importance = nullptr;
    ASSERT_TRUE(compress::Quantize(dir.File("q.gguf"), dir.File("d.gguf"), q).ok());
    auto deq = models::LoadModel(dir.File("d.gguf"));
    ASSERT_TRUE(deq.ok()) << deq.status().message();
    compress::PerplexityOptions po;
    po.n_ctx = 128;
    po.n_chunks = 60;
    po.n_threads = 2;
    auto p = compress::Perplexity(**deq, base->get(), all.substr(0, 40960), po);
    ASSERT_TRUE(p.ok()) << p.status().message();
    kl[calibrated] = p->mean_kl;
  }
  EXPECT_EQ(size[0], size[1]);
  EXPECT_LT(kl[1], 0.95 * kl[0]) << "plain " << kl[0] << ", calibrated " << kl[1];
}

}  // namespace
}  // namespace miaotui
