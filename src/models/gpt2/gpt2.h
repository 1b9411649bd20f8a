// GPT-2: learned position embeddings, pre-LayerNorm blocks with biases, fused QKV, GELU (tanh
// form) MLP, tied output head. From GGUF (`gpt2.*`) or a Hugging Face GPT2LMHeadModel folder
// (whose Conv1D weights are stored (in, out) and are transposed at load).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "models/model.h"
#include "models/weight_source.h"

namespace miaotui::models::gpt2 {

struct Gpt2Config {
  int64_t n_vocab = 0, n_embd = 0, n_ff = 0, n_layer = 0, n_head = 0, n_ctx_train = 0;
  float ln_eps = 1e-5f;
};

struct Gpt2Layer {
  TensorView ln1_w, ln1_b;  // (n_embd)
  TensorView wq, wk, wv;    // (n_embd, n_embd): row slices of the fused QKV weight
  TensorView bq, bk, bv;    // (n_embd)
  TensorView wo, bo;        // (n_embd, n_embd), (n_embd)
  TensorView ln2_w, ln2_b;  // (n_embd)
  TensorView w_up, b_up;    // (n_embd, n_ff), (n_ff)
  TensorView w_down, b_down;  // (n_ff, n_embd), (n_embd)
};

struct Gpt2Weights {
  TensorView tok_embd;  // (n_embd, n_vocab)
  TensorView pos_embd;  // (n_embd, n_ctx_train)
  std::vector<Gpt2Layer> layers;
  TensorView lnf_w, lnf_b;  // (n_embd)
  TensorView output;        // (n_embd, n_vocab); tok_embd when tied
};

class Gpt2Model : public Model {
 public:
  ForwardGraph BuildForward(const ForwardShape& shape) const override;

  static Result<std::unique_ptr<Model>> FromGguf(std::shared_ptr<const formats::GgufFile> gguf);
  static Result<std::unique_ptr<Model>> FromHfFolder(const std::string& dir);
  // This process's shard (tensor / pipeline parallelism); see models::Shard.
  static Result<std::unique_ptr<Model>> FromGgufShard(
      std::shared_ptr<const formats::GgufFile> gguf, const Shard& shard);

 private:
  void FillInfo(const std::string& path, const std::string& format);
  Status ApplyShard(const Shard& shard, const std::string& path);  // gpt2_shard.cc
  graph::Tensor TpReduce(graph::GraphBuilder& g, graph::Tensor t) const {
    return shard_.tp_size > 1 ? g.AllReduce(t) : t;
  }
  Gpt2Config config_;
  Shard shard_;
  int64_t layer_begin_ = 0, layer_end_ = -1;  // -1: every layer
  Gpt2Weights weights_;
};

}  // namespace miaotui::models::gpt2
