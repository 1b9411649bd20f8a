// Embedder: runs an encoder model (BERT-style) over many inputs, packing them back to back into
// batches of at most max_batch_tokens tokens (attention never crosses an input's boundary), and
// returns one pooled vector per input, optionally L2-normalized.
//
// An input longer than the model's positions is truncated (keeping its last token, e.g. [SEP])
// when `truncate` is set, and refused with an error naming the input otherwise; never read out of
// bounds. Not thread-safe: one thread drives an embedder.
#pragma once

#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "graph/executor.h"
#include "graph/passes.h"
#include "models/model.h"

namespace miaotui::runtime {

struct EmbedOptions {
  int n_threads = 0;  // 0: every core
  ops::PoolMode pooling = ops::PoolMode::kMean;
  bool use_model_pooling = true;  // ignore `pooling`, use the model's declared mode
  bool normalize = false;
  bool truncate = false;
  int64_t max_batch_tokens = 2048;
  graph::PassOptions passes;
};

class Embedder {
 public:
  static Result<std::unique_ptr<Embedder>> Create(const models::Model& model,
                                                  const EmbedOptions& options);

  // One pooled vector (n_embd floats) per input.
  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::vector<int32_t>>& inputs);
  // Classifier logits (one per label of model.info().labels) per input.
  // REQUIRES a model with a classification head (labels non-empty), else an error.
  Result<std::vector<std::vector<float>>> Classify(const std::vector<std::vector<int32_t>>& inputs);
  // Final hidden states of one input, [n_tokens, n_embd].
  Result<std::vector<float>> TokenStates(const std::vector<int32_t>& ids);

  int n_threads() const { return pool_->size(); }

 private:
  Embedder(const models::Model& model, const EmbedOptions& options);
  Status Check(std::vector<int32_t>& ids, size_t index) const;
  // Runs inputs [first, last) as one packed batch; writes pooled rows into `out`.
  Status RunBatch(const std::vector<std::vector<int32_t>>& inputs, size_t first, size_t last,
                  std::vector<std::vector<float>>* out, std::vector<float>* hidden,
                  bool logits = false);
  Result<std::vector<std::vector<float>>> RunAll(const std::vector<std::vector<int32_t>>& inputs,
                                                 bool logits);
  const models::EncoderGraph& GraphFor(int64_t n_tokens, int64_t n_seqs);

  const models::Model& model_;
  EmbedOptions options_;
  ops::PoolMode pooling_;
  std::unique_ptr<ThreadPool> pool_;
  graph::Executor executor_;
  std::map<std::pair<int64_t, int64_t>, models::EncoderGraph> graphs_;
};

}  // namespace miaotui::runtime
