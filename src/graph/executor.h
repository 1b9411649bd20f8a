// The CPU executor: runs a planned graph with one persistent thread team. Each node splits its
// work across the team; a barrier separates dependent nodes. The arena (activations) and the
// per-thread scratch are owned here and only grow when a larger graph is first seen, so repeated
// runs (decode steps) allocate nothing.
//
// Usage: Prepare(g); fill InputI32(g, ids) ...; Run(g, kv); read Output(g, logits).
// Thread safety: one executor per session; not re-entrant.
#pragma once

#include <functional>

#include "base/aligned.h"
#include "base/thread_pool.h"
#include "graph/graph.h"
#include "graph/kv_cache.h"

namespace miaotui::dist {
class Communicator;
}

namespace miaotui::graph {

class Executor {
 public:
  explicit Executor(ThreadPool* pool) : pool_(pool) {}

  // Makes the arena and scratch large enough for `g`, whose attention reads at most `max_keys`
  // keys per token (block-table row length x block size). REQUIRES: g planned.
  void Prepare(const Graph& g, int64_t max_keys);
  int32_t* InputI32(const Graph& g, Tensor t);
  float* InputF32(const Graph& g, Tensor t);
  // Runs every live node. `kv` may be null for graphs without attention.
  void Run(const Graph& g, KvCache* kv);
  const float* Output(const Graph& g, Tensor t) const;

  // Optional observer, called on the team's first thread after each node has run, while the
  // others wait; the node's inputs and output are readable through Output(g, {id}). For
  // statistics such as calibration (activations of every matmul input). Null (the default): none.
  using NodeObserver = std::function<void(const Graph&, const Node&, const Executor&)>;
  void SetObserver(NodeObserver observer) { observer_ = std::move(observer); }

  // The ranks kAllReduce nodes sum over (team member 0 calls it while the others wait at the
  // barrier). Null (the default): a graph with kAllReduce runs alone and the op is a copy. A
  // communication error ends the run through Communicator::Abort, naming the rank.
  void SetCommunicator(dist::Communicator* comm) { comm_ = comm; }

  size_t arena_bytes() const { return arena_size_; }

 private:
  void RunNode(const Graph& g, const Node& n, KvCache* kv, int ith, int nth);
  uint8_t* Ptr(const Graph& g, int id) const;

  ThreadPool* pool_;
  AlignedBuffer arena_;
  size_t arena_size_ = 0;
  AlignedBuffer scratch_;
  size_t scratch_size_ = 0;
  NodeObserver observer_;
  dist::Communicator* comm_ = nullptr;
};

}  // namespace miaotui::graph
