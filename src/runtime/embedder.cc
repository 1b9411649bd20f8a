#include "runtime/embedder.h"

#include <cmath>
#include <cstring>

#include "base/cpu_features.h"

namespace miaotui::runtime {

Embedder::Embedder(const models::Model& model, const EmbedOptions& options)
    : model_(model),
      options_(options),
      pooling_(options.use_model_pooling ? model.info().pooling : options.pooling),
      pool_(std::make_unique<ThreadPool>(options.n_threads > 0 ? options.n_threads
                                                               : HardwareConcurrency())),
      executor_(pool_.get()) {}

Result<std::unique_ptr<Embedder>> Embedder::Create(const models::Model& model,
                                                   const EmbedOptions& options) {
  if (!model.info().is_encoder) {
    return InvalidArgument(model.info().path + ": architecture '" + model.info().arch +
                           "' is a decoder; embeddings need an encoder model (e.g. BERT)");
  }
  if (options.max_batch_tokens < 1) return InvalidArgument("batch token budget must be >= 1");
  return std::unique_ptr<Embedder>(new Embedder(model, options));
}

Status Embedder::Check(std::vector<int32_t>& ids, size_t index) const {
  const int64_t limit = model_.info().n_ctx_train;
  if (ids.empty()) return InvalidArgument("input " + std::to_string(index) + " has no tokens");
  if (static_cast<int64_t>(ids.size()) > limit) {
    if (!options_.truncate) {
      return OutOfRange("input " + std::to_string(index) + " has " + std::to_string(ids.size()) +
                        " tokens but the model has " + std::to_string(limit) +
                        " positions (use --truncate to cut it)");
    }
    const int32_t last = ids.back();
    ids.resize(limit);
    ids.back() = last;  // keep the closing [SEP]
  }
  for (int32_t id : ids) {
    if (id < 0 || id >= model_.info().n_vocab) {
      return InvalidArgument("input " + std::to_string(index) + ": token id " +
                             std::to_string(id) + " is outside the vocabulary");
    }
  }
  return Status::Ok();
}

const models::EncoderGraph& Embedder::GraphFor(int64_t n_tokens, int64_t n_seqs) {
  auto key = std::make_pair(n_tokens, n_seqs);
  auto it = graphs_.find(key);
  if (it != graphs_.end()) return it->second;
  if (graphs_.size() > 16) graphs_.clear();
  models::EncoderGraph eg = model_.BuildEncoder(n_tokens, n_seqs, pooling_);
  graph::Optimize(eg.graph, options_.passes, &model_.weight_packer());
  return graphs_.emplace(key, std::move(eg)).first->second;
}

Status Embedder::RunBatch(const std::vector<std::vector<int32_t>>& inputs, size_t first,
                          size_t last, std::vector<std::vector<float>>* out,
                          std::vector<float>* hidden, bool logits) {
  int64_t n_tokens = 0;
  for (size_t i = first; i < last; ++i) n_tokens += static_cast<int64_t>(inputs[i].size());
  const int64_t n_seqs = static_cast<int64_t>(last - first);
  const models::EncoderGraph& eg = GraphFor(n_tokens, n_seqs);
  executor_.Prepare(eg.graph, 0);
  int32_t* tok = executor_.InputI32(eg.graph, eg.tokens);
  int32_t* pos = executor_.InputI32(eg.graph, eg.positions);
  int32_t* typ = executor_.InputI32(eg.graph, eg.token_types);
  int32_t* sb = executor_.InputI32(eg.graph, eg.seg_begin);
  int32_t* se = executor_.InputI32(eg.graph, eg.seg_end);
  int32_t* starts = executor_.InputI32(eg.graph, eg.pool_starts);
  int32_t row = 0;
  for (size_t i = first; i < last; ++i) {
    const int32_t len = static_cast<int32_t>(inputs[i].size());
    starts[i - first] = row;
    for (int32_t j = 0; j < len; ++j) {
      tok[row + j] = inputs[i][j];
      pos[row + j] = j;
      typ[row + j] = 0;
      sb[row + j] = row;
      se[row + j] = row + len;
    }
    row += len;
  }
  starts[n_seqs] = row;
  executor_.Run(eg.graph, nullptr);
  if (logits) {
    const int64_t n_labels = static_cast<int64_t>(model_.info().labels.size());
    const float* l = executor_.Output(eg.graph, eg.class_logits);
    for (int64_t s = 0; s < n_seqs; ++s) {
      (*out)[first + s].assign(l + s * n_labels, l + (s + 1) * n_labels);
    }
    return Status::Ok();
  }
  const int64_t d = model_.info().n_embd;
  const float* pooled = executor_.Output(eg.graph, eg.pooled);
  for (int64_t s = 0; s < n_seqs; ++s) {
    std::vector<float> v(pooled + s * d, pooled + (s + 1) * d);
    if (options_.normalize) {
      double ss = 0;
      for (float x : v) ss += static_cast<double>(x) * x;
      const float inv = ss > 0 ? static_cast<float>(1.0 / std::sqrt(ss)) : 0.0f;
      for (float& x : v) x *= inv;
    }
    (*out)[first + s] = std::move(v);
  }
  if (hidden) {
    const float* h = executor_.Output(eg.graph, eg.hidden);
    hidden->assign(h, h + n_tokens * d);
  }
  return Status::Ok();
}

Result<std::vector<std::vector<float>>> Embedder::Embed(
    const std::vector<std::vector<int32_t>>& inputs) {
  return RunAll(inputs, false);
}

Result<std::vector<std::vector<float>>> Embedder::Classify(
    const std::vector<std::vector<int32_t>>& inputs) {
  if (model_.info().labels.empty()) {
    return InvalidArgument(model_.info().path + ": the model has no classification head");
  }
  return RunAll(inputs, true);
}

Result<std::vector<std::vector<float>>> Embedder::RunAll(
    const std::vector<std::vector<int32_t>>& raw_inputs, bool logits) {
  std::vector<std::vector<int32_t>> inputs = raw_inputs;
  for (size_t i = 0; i < inputs.size(); ++i) MT_RETURN_IF_ERROR(Check(inputs[i], i));
  std::vector<std::vector<float>> out(inputs.size());
  size_t first = 0;
  while (first < inputs.size()) {
    size_t last = first;
    int64_t tokens = 0;
    while (last < inputs.size() &&
           (last == first ||
            tokens + static_cast<int64_t>(inputs[last].size()) <= options_.max_batch_tokens)) {
      tokens += static_cast<int64_t>(inputs[last].size());
      ++last;
    }
    MT_RETURN_IF_ERROR(RunBatch(inputs, first, last, &out, nullptr, logits));
    first = last;
  }
  return out;
}

Result<std::vector<float>> Embedder::TokenStates(const std::vector<int32_t>& raw_ids) {
  std::vector<std::vector<int32_t>> inputs = {raw_ids};
  MT_RETURN_IF_ERROR(Check(inputs[0], 0));
  std::vector<std::vector<float>> pooled(1);
  std::vector<float> hidden;
  MT_RETURN_IF_ERROR(RunBatch(inputs, 0, 1, &pooled, &hidden));
  return hidden;
}

}  // namespace miaotui::runtime
