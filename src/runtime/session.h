// Session: one sequence being evaluated by a model - its KV cache, its thread team, its planned
// graphs and their arena.
//
// Decode(tokens) evaluates the tokens at the next positions, appends them to the context and
// returns their logits: every row ([n, n_vocab]) when all_logits, else only the last row. A whole
// prompt goes through one graph (batched); generation then feeds one token at a time. Graphs are
// built and planned once per (batch size, output rows) and reused, so decode steps allocate
// nothing. Not thread-safe: one thread drives a session.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <utility>

#include "base/check.h"
#include "base/status.h"
#include "base/thread_pool.h"
#include "graph/executor.h"
#include "graph/kv_cache.h"
#include "graph/passes.h"
#include "models/model.h"

namespace miaotui::dist {
class Communicator;
}

namespace miaotui::runtime {

struct SessionOptions {
  int n_threads = 0;        // 0: every core
  int64_t n_ctx = 0;        // 0: the model's training context, capped at 4096
  DType kv_type = DType::kF16;
  graph::PassOptions passes;
  int64_t max_batch = 512;  // prompt tokens per graph (longer prompts are split)
  // Distributed runs (the model is a models::Shard): the ranks' communicator, and the prompt
  // tokens per pipeline micro-batch (0: 32), so stages work on different micro-batches at once.
  dist::Communicator* comm = nullptr;
  int64_t micro_batch = 0;
  // With tensor and pipeline parallelism combined: this stage's tensor-parallel ranks, over which
  // the graph's all-reduces run (null: `comm`).
  dist::Communicator* tp_comm = nullptr;
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> Create(const models::Model& model,
                                                 const SessionOptions& options);
  static constexpr int64_t kBlockSize = 16;  // KV-cache block (tokens)
  // The context a session gets: `requested`, or (0) the model's training context capped at 4096.
  static int64_t ResolveContext(const models::ModelInfo& info, int64_t requested);

  // Errors: an empty batch, a token id outside the vocabulary, or a context overflow
  // ("prompt of N tokens does not fit the context of M").
  // Under pipeline parallelism every rank calls Decode with the same tokens: a stage receives
  // hidden states from the previous one and sends its own on; only the last stage's logits are
  // real (the others return zeros), so the sampled token must go through AgreeToken.
  Result<std::span<const float>> Decode(std::span<const int32_t> tokens, bool all_logits);
  // Distributed runs: every rank gets the token chosen on the rank holding the logits (the last
  // pipeline stage's first tensor-parallel rank). Alone: `id` unchanged.
  Result<int32_t> AgreeToken(int32_t id);

  int64_t n_past() const { return n_past_; }
  int64_t n_ctx() const { return n_ctx_; }
  int n_threads() const { return pool_->size(); }
  void Reset() { n_past_ = 0; }
  // Forgets the positions from n on (their KV rows are overwritten by the next tokens), so a
  // context can be rewound to a shared prefix. REQUIRES: 0 <= n <= n_past().
  void Truncate(int64_t n) {
    CHECK(n >= 0 && n <= n_past_);
    n_past_ = n;
  }
  const models::Model& model() const { return model_; }
  // Observes every node of every forward pass (see graph::Executor::SetObserver); null: none.
  void SetNodeObserver(graph::Executor::NodeObserver observer) {
    executor_.SetObserver(std::move(observer));
  }

 private:
  Session(const models::Model& model, const SessionOptions& options);
  const models::ForwardGraph& GraphFor(int64_t n_tokens, int64_t n_outputs);
  static constexpr int kHiddenTag = 1;  // pipeline hidden states

  const models::Model& model_;
  SessionOptions options_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<graph::KvCache> kv_;
  graph::Executor executor_;
  std::map<std::pair<int64_t, int64_t>, models::ForwardGraph> graphs_;
  int64_t n_ctx_ = 0;
  std::vector<int32_t> block_table_;  // one sequence owning blocks 0, 1, 2, ... in order
  std::vector<float> logits_;
  int64_t n_past_ = 0;
};

// Distributed runs: every rank loaded the same model file (size, metadata and tensor table), else
// an error naming the first rank whose file differs from rank 0's.
Status CheckSameModelEverywhere(dist::Communicator& comm, const models::ModelInfo& info);

}  // namespace miaotui::runtime
