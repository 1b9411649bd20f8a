#include "runtime/session.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "base/cpu_features.h"
#include "dist/communicator.h"

namespace miaotui::runtime {

Session::Session(const models::Model& model, const SessionOptions& options)
    : model_(model),
      options_(options),
      pool_(std::make_unique<ThreadPool>(options.n_threads > 0 ? options.n_threads
                                                               : HardwareConcurrency())),
      executor_(pool_.get()) {}

int64_t Session::ResolveContext(const models::ModelInfo& info, int64_t requested) {
  if (requested > 0) return requested;
  return std::min<int64_t>(info.n_ctx_train > 0 ? info.n_ctx_train : 2048, 4096);
}

Result<std::unique_ptr<Session>> Session::Create(const models::Model& model,
                                                 const SessionOptions& options) {
  if (options.kv_type != DType::kF32 && options.kv_type != DType::kF16) {
    return InvalidArgument(std::string("KV-cache type must be f32 or f16, got ") +
                           DTypeName(options.kv_type));
  }
  if (options.n_threads < 0 || options.n_threads > 1024) {
    return InvalidArgument("thread count must be between 1 and 1024, got " +
                           std::to_string(options.n_threads));
  }
  const models::ModelInfo& info = model.info();
  const int64_t n_ctx = ResolveContext(info, options.n_ctx);
  if (n_ctx > (1 << 20)) {
    return InvalidArgument("context size " + std::to_string(n_ctx) + " is larger than 1048576");
  }
  if (!info.shard.whole() && options.comm == nullptr) {
    return InvalidArgument("a model shard (tensor or pipeline parallel) needs a communicator");
  }
  if (options.comm != nullptr &&
      options.comm->size() != info.shard.tp_size * info.shard.pp_size) {
    return InvalidArgument("the run has " + std::to_string(options.comm->size()) +
                           " ranks but the shard expects tp x pp = " +
                           std::to_string(info.shard.tp_size) + " x " +
                           std::to_string(info.shard.pp_size));
  }
  if (info.shard.tp_size > 1 && info.shard.pp_size > 1 &&
      (options.tp_comm == nullptr || options.tp_comm->size() != info.shard.tp_size)) {
    return InvalidArgument("combining tensor and pipeline parallelism needs a communicator of "
                           "each stage's " + std::to_string(info.shard.tp_size) +
                           " tensor-parallel ranks");
  }
  auto s = std::unique_ptr<Session>(new Session(model, options));
  s->executor_.SetCommunicator(options.tp_comm != nullptr ? options.tp_comm : options.comm);
  const int64_t n_blocks = (n_ctx + kBlockSize - 1) / kBlockSize;
  s->n_ctx_ = n_ctx;
  s->kv_ = std::make_unique<graph::KvCache>(static_cast<int>(info.n_layer), n_blocks, kBlockSize,
                                            info.kv_dim, options.kv_type);
  s->block_table_.resize(n_blocks);
  for (int64_t b = 0; b < n_blocks; ++b) s->block_table_[b] = static_cast<int32_t>(b);
  return s;
}

const models::ForwardGraph& Session::GraphFor(int64_t n_tokens, int64_t n_outputs) {
  auto key = std::make_pair(n_tokens, n_outputs);
  auto it = graphs_.find(key);
  if (it != graphs_.end()) return it->second;
  // Keep the decode graph and a few prompt-sized ones; drop the rest.
  if (graphs_.size() > 8) {
    for (auto g = graphs_.begin(); g != graphs_.end();) {
      g = g->first.first == 1 ? std::next(g) : graphs_.erase(g);
    }
  }
  models::ForwardShape shape{.n_tokens = n_tokens, .n_outputs = n_outputs, .n_seqs = 1,
                            .max_blocks = static_cast<int64_t>(block_table_.size())};
  models::ForwardGraph fg = model_.BuildForward(shape);
  graph::Optimize(fg.graph, options_.passes, &model_.weight_packer());
  return graphs_.emplace(key, std::move(fg)).first->second;
}

Result<std::span<const float>> Session::Decode(std::span<const int32_t> tokens, bool all_logits) {
  const int64_t n = static_cast<int64_t>(tokens.size());
  const int64_t n_vocab = model_.info().n_vocab;
  if (n == 0) return InvalidArgument("cannot evaluate an empty batch of tokens");
  if (n_past_ + n > n_ctx_) {
    return OutOfRange("the context holds " + std::to_string(n_ctx_) + " tokens; " +
                      std::to_string(n_past_) + " are used and " + std::to_string(n) +
                      " more do not fit (raise --ctx-size or shorten the prompt)");
  }
  for (int64_t i = 0; i < n; ++i) {
    if (tokens[i] < 0 || tokens[i] >= n_vocab) {
      return InvalidArgument("token id " + std::to_string(tokens[i]) +
                             " is outside the vocabulary [0, " + std::to_string(n_vocab) + ")");
    }
  }
  logits_.assign(static_cast<size_t>((all_logits ? n : 1) * n_vocab), 0.0f);
  const models::Shard& shard = model_.info().shard;
  const int64_t step = shard.pp_size > 1
                           ? std::min(options_.max_batch,
                                      options_.micro_batch > 0 ? options_.micro_batch : 32)
                           : options_.max_batch;
  const int64_t n_embd = model_.info().n_embd;
  const int rank = options_.comm ? options_.comm->rank() : 0;
  for (int64_t start = 0; start < n; start += step) {
    const int64_t len = std::min(step, n - start);
    const bool last_chunk = start + len == n;
    const int64_t n_out = all_logits ? len : 1;
    const models::ForwardGraph& fg = GraphFor(len, n_out);
    executor_.Prepare(fg.graph, kv_->n_blocks() * kv_->block_size());
    int32_t* ids = executor_.InputI32(fg.graph, fg.tokens);
    int32_t* pos = executor_.InputI32(fg.graph, fg.kv.positions);
    int32_t* slots = executor_.InputI32(fg.graph, fg.kv.slots);
    int32_t* seq = executor_.InputI32(fg.graph, fg.kv.seq_ids);
    int32_t* table = executor_.InputI32(fg.graph, fg.kv.block_table);
    int32_t* rows = executor_.InputI32(fg.graph, fg.out_rows);
    std::copy(block_table_.begin(), block_table_.end(), table);
    for (int64_t i = 0; i < len; ++i) {
      ids[i] = tokens[start + i];
      pos[i] = static_cast<int32_t>(n_past_ + i);
      slots[i] = pos[i];  // blocks are owned in order, so slot == position
      seq[i] = 0;
    }
    if (all_logits) {
      for (int64_t i = 0; i < len; ++i) rows[i] = static_cast<int32_t>(i);
    } else {
      rows[0] = static_cast<int32_t>(len - 1);
    }
    const size_t hidden_bytes = sizeof(float) * static_cast<size_t>(len * n_embd);
    if (fg.hidden_in.id >= 0) {  // from the previous pipeline stage (same tensor-parallel rank)
      MT_RETURN_IF_ERROR(options_.comm->Recv(executor_.InputF32(fg.graph, fg.hidden_in),
                                             hidden_bytes, rank - shard.tp_size, kHiddenTag));
    }
    executor_.Run(fg.graph, kv_.get());
    n_past_ += len;
    if (fg.hidden_out.id >= 0) {
      MT_RETURN_IF_ERROR(options_.comm->Send(executor_.Output(fg.graph, fg.hidden_out),
                                             hidden_bytes, rank + shard.tp_size, kHiddenTag));
      continue;
    }
    const float* out = executor_.Output(fg.graph, fg.logits);
    if (all_logits) {
      std::memcpy(logits_.data() + start * n_vocab, out, sizeof(float) * len * n_vocab);
    } else if (last_chunk) {
      std::memcpy(logits_.data(), out, sizeof(float) * n_vocab);
    }
  }
  return std::span<const float>(logits_);
}

Status CheckSameModelEverywhere(dist::Communicator& comm, const models::ModelInfo& info) {
  std::vector<uint64_t> all(comm.size());
  MT_RETURN_IF_ERROR(comm.AllGather(&info.fingerprint, sizeof(uint64_t), all.data()));
  for (int r = 1; r < comm.size(); ++r) {
    if (all[r] != all[0]) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), " (fingerprint %016llx vs %016llx)",
                    static_cast<unsigned long long>(all[r]),
                    static_cast<unsigned long long>(all[0]));
      return InvalidArgument("rank " + std::to_string(r) + "'s model file differs from rank 0's: "
                             "size, metadata or tensor table do not match" + buf +
                             "; every rank must load the same file (" + info.path + " on rank " +
                             std::to_string(comm.rank()) + ")");
    }
  }
  return Status::Ok();
}

Result<int32_t> Session::AgreeToken(int32_t id) {
  dist::Communicator* comm = options_.comm;
  if (comm == nullptr || comm->size() == 1) return id;
  const models::Shard& shard = model_.info().shard;
  MT_RETURN_IF_ERROR(comm->Broadcast(&id, sizeof(id), (shard.pp_size - 1) * shard.tp_size));
  return id;
}

}  // namespace miaotui::runtime
