// Helpers of the CUDA tests: skip (with the reason) where no CUDA device is usable; run one graph
// on the CPU backend and on the CUDA backend with the same inputs; compare results.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "base/thread_pool.h"
#include "cuda/cuda_backend.h"
#include "graph/cpu_backend.h"
#include "graph/passes.h"

// Skips the calling test, printing "no CUDA device: <why>" (no device, no driver, or a build
// without -DMIAOTUI_CUDA=ON). Never a silent pass.
#define MT_REQUIRE_CUDA()                                                  \
  do {                                                                     \
    if (::miaotui::Status s_ = ::miaotui::cuda::CudaDeviceStatus(); !s_.ok()) \
      GTEST_SKIP() << s_.message();                                        \
  } while (0)

namespace miaotui::testing {

// ||a - b|| / ||b|| (2-norms); infinity when a size differs or a value is not finite.
inline double RelErr(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i])) return INFINITY;
    num += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    den += static_cast<double>(b[i]) * b[i];
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

// A CPU backend and a CUDA backend with the same KV-cache geometry. REQUIRES: a CUDA device.
struct BackendPair {
  explicit BackendPair(const graph::KvCacheSpec& kv) : pool(2), cpu(&pool, kv) {
    auto r = cuda::CreateCudaBackend(kv);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (r.ok()) gpu = std::move(*r);
  }

  // Plans g, runs it on both backends after fill(backend) set the inputs, and returns node
  // `out`'s values from each.
  void Run(graph::Graph& g, const std::function<void(graph::Backend&)>& fill, graph::Tensor out,
           std::vector<float>* on_cpu, std::vector<float>* on_gpu) {
    if (!g.planned) graph::Optimize(g, graph::PassOptions{});
    const size_t n = static_cast<size_t>(g.nodes[out.id].shape.NumElements());
    for (graph::Backend* b : {static_cast<graph::Backend*>(&cpu), gpu.get()}) {
      ASSERT_NE(b, nullptr);
      Status s = b->Prepare(g);
      ASSERT_TRUE(s.ok()) << b->name() << ": " << s.message();
      fill(*b);
      s = b->Run(g);
      ASSERT_TRUE(s.ok()) << b->name() << ": " << s.message();
      const float* o = b->Output(g, out);
      (b == &cpu ? on_cpu : on_gpu)->assign(o, o + n);
    }
  }

  ThreadPool pool;
  graph::CpuBackend cpu;
  std::unique_ptr<graph::Backend> gpu;
};

}  // namespace miaotui::testing
