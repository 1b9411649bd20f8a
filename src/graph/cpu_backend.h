// The CPU backend: graph::Executor (the thread team of ops/) plus a graph::KvCache in host
// memory, behind the Backend interface. Weights are read in place from the mapped model file, so
// Prepare uploads nothing. Behaviour is exactly the Executor's.
#pragma once

#include <memory>

#include "base/thread_pool.h"
#include "graph/backend.h"
#include "graph/executor.h"
#include "graph/kv_cache.h"

namespace miaotui::graph {

class CpuBackend : public Backend {
 public:
  // `pool` outlives the backend. A spec with n_layer == 0 makes no KV cache (encoders, tests of
  // graphs without attention).
  CpuBackend(ThreadPool* pool, const KvCacheSpec& kv);

  const char* name() const override { return "cpu"; }
  Status Prepare(const Graph& g) override;
  int32_t* InputI32(const Graph& g, Tensor t) override { return executor_.InputI32(g, t); }
  float* InputF32(const Graph& g, Tensor t) override { return executor_.InputF32(g, t); }
  Status Run(const Graph& g) override;
  const float* Output(const Graph& g, Tensor t) override { return executor_.Output(g, t); }

  Executor& executor() { return executor_; }
  KvCache* kv() { return kv_.get(); }

 private:
  Executor executor_;
  std::unique_ptr<KvCache> kv_;
};

}  // namespace miaotui::graph
