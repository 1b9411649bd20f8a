// Model: a loaded model of any registered architecture, ready to describe its forward pass as a
// graph. It owns the mapped weight files, the tokenizer, and any weights converted at load.
//
// LoadModel(path) accepts a GGUF file or a Hugging Face folder (config.json + safetensors +
// tokenizer files) and picks the architecture from models/registry.cc. Errors name the file and
// the field or tensor. A Model is immutable after loading and may be shared by sessions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/status.h"
#include "graph/graph.h"
#include "graph/weight_packer.h"
#include "models/weight_source.h"
#include "ops/ops.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::models {

// The part of a model one process holds in a distributed run (docs/DISTRIBUTED.md). Tensor
// parallelism splits every layer's heads and feed-forward columns tp_size ways; pipeline
// parallelism splits the layers into pp_size contiguous stages. Ranks are numbered
// pp_rank * tp_size + tp_rank.
struct Shard {
  int tp_rank = 0, tp_size = 1;
  int pp_rank = 0, pp_size = 1;
  bool whole() const { return tp_size == 1 && pp_size == 1; }
  bool first_stage() const { return pp_rank == 0; }
  bool last_stage() const { return pp_rank == pp_size - 1; }
};

// What `miaotui info` prints and what sessions size their caches from.
struct ModelInfo {
  std::string arch;         // registry name, e.g. "llama"
  std::string path;         // file or folder it was loaded from
  std::string format;       // "gguf" or "hf"
  int64_t n_vocab = 0;
  int64_t n_ctx_train = 0;
  int64_t n_layer = 0;
  int64_t kv_dim = 0;       // K (and V) values per token per layer
  int64_t n_params = 0;
  int64_t weight_bytes = 0;
  std::vector<std::pair<std::string, std::string>> hparams;  // printable
  std::vector<std::pair<std::string, int64_t>> tensor_types;  // "F32" -> count
  bool is_encoder = false;  // BERT-style: embeddings, no generation
  int64_t n_embd = 0;       // width of hidden states / embeddings
  ops::PoolMode pooling = ops::PoolMode::kMean;  // the model's declared pooling (encoders)
  std::vector<std::string> labels;  // classifier heads: one name per output (empty: none)
  // Distributed runs: this process's shard. n_layer and kv_dim above are then this shard's
  // (the KV cache holds only its layers and heads); layers [layer_begin, layer_begin + n_layer)
  // of the model run here.
  Shard shard;
  int64_t layer_begin = 0;
  uint64_t fingerprint = 0;  // hash of the size, metadata and tensor table (GGUF or HF headers)
};

// The shape of one decoder forward pass: n_tokens new tokens from n_seqs sequences, logits for
// n_outputs of them; each sequence's block-table row has max_blocks entries.
struct ForwardShape {
  int64_t n_tokens = 1;
  int64_t n_outputs = 1;
  int64_t n_seqs = 1;
  int64_t max_blocks = 1;
  bool operator<(const ForwardShape& o) const {
    return std::tie(n_tokens, n_outputs, n_seqs, max_blocks) <
           std::tie(o.n_tokens, o.n_outputs, o.n_seqs, o.max_blocks);
  }
};

// One forward pass: fill `tokens` (n_tokens), the KV inputs (kv.positions, kv.slots, kv.seq_ids
// per token; kv.block_table [n_seqs, max_blocks]) and `out_rows` (n_outputs row indices into
// the batch); `logits` is [n_outputs, n_vocab].
// A pipeline stage after the first reads `hidden_in` ([n_tokens, n_embd], from the previous
// stage) instead of embedding `tokens`; a stage before the last writes `hidden_out`
// ([n_tokens, n_embd]) and has no logits. Unused tensors have id -1.
struct ForwardGraph {
  graph::Graph graph;
  graph::Tensor tokens, out_rows, logits;
  graph::Tensor hidden_in, hidden_out;
  graph::KvInputs kv;
  ForwardShape shape;
};

// An encoder pass over n_seqs sequences packed back to back (n_tokens in all). Fill `tokens`,
// `positions` (within each sequence), `token_types`, `seg_begin` / `seg_end` (per token: the
// batch rows of its sequence) and `pool_starts` (n_seqs + 1 row offsets). `hidden` is
// [n_tokens, n_embd]; `pooled` is [n_seqs, n_embd].
struct EncoderGraph {
  graph::Graph graph;
  graph::Tensor tokens, positions, token_types, seg_begin, seg_end, pool_starts;
  graph::Tensor hidden, pooled;
  graph::Tensor class_logits;  // [n_seqs, labels] when the model has a classifier head
  int64_t n_tokens = 0, n_seqs = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  // Decoders: one forward pass over n_tokens new tokens (positions continue the KV cache).
  virtual ForwardGraph BuildForward(const ForwardShape& shape) const = 0;
  // Encoders (info().is_encoder): REQUIRES is_encoder.
  virtual EncoderGraph BuildEncoder(int64_t n_tokens, int64_t n_seqs, ops::PoolMode pool) const;

  const ModelInfo& info() const { return info_; }
  const tokenizer::Tokenizer& tokenizer() const { return *tokenizer_; }
  void set_fingerprint(uint64_t f) { info_.fingerprint = f; }

  // Scans every weight (slow: reads them all) for NaN or Inf, e.g. a corrupted scale; returns
  // "tensor 'NAME' row R" for the first one found, or nothing. Used when outputs turn non-finite.
  std::optional<std::string> FindNonFiniteWeight() const;

  // The packed copies of this model's matrices for the CPU kernels (graph/weight_packer.h),
  // shared by every session; made on first use.
  graph::WeightPacker& weight_packer() const { return *packer_; }

 protected:
  ModelInfo info_;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  std::unique_ptr<WeightSource> source_;
  std::unique_ptr<graph::WeightPacker> packer_ = MakePacker();

 private:
  // The packer hands the file pages of each packed matrix back (WeightSource::ReleaseMapped).
  std::unique_ptr<graph::WeightPacker> MakePacker() {
    auto p = std::make_unique<graph::WeightPacker>();
    p->SetOnPacked([this](const void* data, size_t n) {
      if (source_) source_->ReleaseMapped(data, n);
    });
    return p;
  }
};

// Loads a GGUF file or a Hugging Face folder.
Result<std::unique_ptr<Model>> LoadModel(const std::string& path);
// Loads this process's shard of a GGUF model (errors: an architecture without tensor / pipeline
// parallelism, head or layer counts the shard does not divide).
Result<std::unique_ptr<Model>> LoadModel(const std::string& path, const Shard& shard);

}  // namespace miaotui::models
