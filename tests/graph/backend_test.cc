// graph::Backend: device names parse or are refused by value; the CPU backend runs a graph exactly
// like the Executor it wraps (same results bit for bit), with and without a KV cache.
#include <gtest/gtest.h>

#include <random>

#include "base/thread_pool.h"
#include "graph/cpu_backend.h"
#include "graph/passes.h"

namespace miaotui::graph {
namespace {

TEST(BackendTest, ParseDevice) {
  EXPECT_EQ(*ParseDevice("cpu"), Device::kCpu);
  EXPECT_EQ(*ParseDevice("cuda"), Device::kCuda);
  EXPECT_EQ(*ParseDevice("auto"), Device::kAuto);
  Result<Device> bad = ParseDevice("gpu");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'gpu'"), std::string::npos) << bad.status().message();
  EXPECT_STREQ(DeviceName(Device::kCuda), "cuda");
}

TEST(BackendTest, CpuBackendMatchesExecutor) {
  std::mt19937 rng(3);
  std::normal_distribution<float> dist(0, 0.5f);
  const int64_t d = 24, vocab = 9, rows = 5;
  std::vector<float> table(d * vocab), w(d * 3 * d), norm(d, 1.0f);
  for (float& x : table) x = dist(rng);
  for (float& x : w) x = dist(rng);
  GraphBuilder b;
  Tensor ids = b.Input("ids", DType::kI32, rows);
  Tensor x = b.Embedding(TensorView{table.data(), DType::kF32, Shape::Of(d, vocab)}, ids);
  Tensor h = b.RmsNorm(x, TensorView{norm.data(), DType::kF32, Shape::Of(d)}, 1e-5f);
  Tensor y = b.MatMul(h, TensorView{w.data(), DType::kF32, Shape::Of(d, 3 * d)});
  b.MarkOutput(y);
  Graph g = b.Finish();
  Optimize(g, PassOptions{});

  ThreadPool pool(2);
  Executor ex(&pool);
  ex.Prepare(g, 0);
  CpuBackend be(&pool, KvCacheSpec{});
  ASSERT_TRUE(be.Prepare(g).ok());
  EXPECT_EQ(be.kv(), nullptr);
  EXPECT_STREQ(be.name(), "cpu");
  for (int64_t i = 0; i < rows; ++i) {
    ex.InputI32(g, ids)[i] = static_cast<int32_t>((3 * i + 1) % vocab);
    be.InputI32(g, ids)[i] = static_cast<int32_t>((3 * i + 1) % vocab);
  }
  ex.Run(g, nullptr);
  ASSERT_TRUE(be.Run(g).ok());
  const float* a = ex.Output(g, y);
  const float* c = be.Output(g, y);
  for (int64_t i = 0; i < rows * 3 * d; ++i) ASSERT_EQ(a[i], c[i]) << i;

  CpuBackend with_kv(&pool, KvCacheSpec{.n_layer = 2, .n_blocks = 3, .block_size = 16,
                                        .kv_dim = 8, .dtype = DType::kF16});
  ASSERT_NE(with_kv.kv(), nullptr);
  EXPECT_EQ(with_kv.kv()->n_layer(), 2);
  EXPECT_EQ(with_kv.kv()->n_blocks(), 3);
}

}  // namespace
}  // namespace miaotui::graph
