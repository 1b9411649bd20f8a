// The Llama architecture (Llama 1/2, TinyLlama, the llama2.c story models): RMSNorm, rotary
// attention with grouped-query heads, SwiGLU MLP, optionally tied output embedding.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "models/model.h"
#include "models/weight_source.h"
#include "ops/rope.h"

namespace miaotui::models::llama {

struct LlamaConfig {
  int64_t n_vocab = 0;
  int64_t n_embd = 0;
  int64_t n_ff = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;
  int64_t n_rot = 0;
  int64_t n_ctx_train = 0;
  float rms_eps = 1e-5f;
  float rope_base = 10000.0f;
  float rope_freq_scale = 1.0f;
  ops::RopeLayout rope_layout = ops::RopeLayout::kInterleaved;
};

struct LlamaLayer {
  TensorView attn_norm;  // (n_embd)
  TensorView wq;         // (n_embd, n_head * head_dim)     [GGUF order: in, out]
  TensorView wk;         // (n_embd, n_head_kv * head_dim)
  TensorView wv;         // (n_embd, n_head_kv * head_dim)
  TensorView wo;         // (n_head * head_dim, n_embd)
  TensorView ffn_norm;   // (n_embd)
  TensorView w_gate;     // (n_embd, n_ff)
  TensorView w_up;       // (n_embd, n_ff)
  TensorView w_down;     // (n_ff, n_embd)
};

struct LlamaWeights {
  TensorView tok_embd;     // (n_embd, n_vocab)
  std::vector<LlamaLayer> layers;
  TensorView output_norm;  // (n_embd)
  TensorView output;       // (n_embd, n_vocab); tok_embd when tied
};

// Tensor names of one checkpoint convention.
struct LlamaNames {
  std::string tok_embd, output_norm, output;
  // Per-layer names with "{}" standing for the layer index.
  std::string attn_norm, wq, wk, wv, wo, ffn_norm, w_gate, w_up, w_down;
};
extern const LlamaNames kGgufLlamaNames;
extern const LlamaNames kHfLlamaNames;

class LlamaModel : public Model {
 public:
  ForwardGraph BuildForward(int64_t n_tokens, int64_t n_outputs) const override;

  static Result<std::unique_ptr<Model>> FromGguf(std::shared_ptr<const formats::GgufFile> gguf);
  static Result<std::unique_ptr<Model>> FromHfFolder(const std::string& dir);

  const LlamaConfig& config() const { return config_; }

 private:
  Status LoadWeights(const LlamaNames& names);
  void FillInfo(const std::string& path, const std::string& format);

  LlamaConfig config_;
  LlamaWeights weights_;
  std::unique_ptr<WeightSource> source_;
};

}  // namespace miaotui::models::llama
