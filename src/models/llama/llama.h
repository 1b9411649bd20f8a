// The Llama family: one graph builder for every decoder that is "RMSNorm, rotary grouped-query
// attention, SwiGLU MLP" - Llama 1/2/3, TinyLlama, SmolLM, Mistral, Qwen2, Phi-3 - and one loader
// parameterized by a LlamaVariant: how a member names its GGUF keys and tensors and its Hugging
// Face tensors. The differences are data, not code paths:
//   - Q/K/V biases (Qwen2);
//   - fused Q|K|V and gate|up matrices (Phi-3), sliced by rows at load, never copied;
//   - sliding-window attention (Mistral, Phi-3: `sliding_window`);
//   - RoPE variants: partial rotary dims, linear scaling, Llama 3's per-frequency scaling
//     (precomputed divisors, GGUF `rope_freqs.weight`), and the pair layout: interleaved for GGUF
//     `llama` (the converter permutes Q/K rows), half-split for Hugging Face and GGUF qwen2/phi3.
// Adding a member: a folder with its LlamaVariant and a row in models/registry.cc.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "models/model.h"
#include "models/registry.h"
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
  int64_t sliding_window = 0;  // attend to the last W positions only; 0: all
  float rms_eps = 1e-5f;
  float rope_base = 10000.0f;
  float rope_freq_scale = 1.0f;
  std::vector<float> rope_freq_factors;  // n_rot/2 frequency divisors (Llama 3), or empty
  std::string rope_scaling = "none";     // printable: none, linear, llama3
  ops::RopeLayout rope_layout = ops::RopeLayout::kInterleaved;
};

struct LlamaLayer {
  TensorView attn_norm;  // (n_embd)
  TensorView wq;         // (n_embd, n_head * head_dim)     [GGUF order: in, out]
  TensorView wk;         // (n_embd, n_head_kv * head_dim)
  TensorView wv;         // (n_embd, n_head_kv * head_dim)
  TensorView bq, bk, bv; // (n_head * head_dim), (kv_dim), (kv_dim); invalid when none
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

// Tensor names of one checkpoint convention. Per-layer names have "{}" for the layer index;
// an empty name means the variant has no such tensor.
struct LlamaNames {
  std::string tok_embd, output_norm, output;
  std::string attn_norm, wq, wk, wv, wo, ffn_norm, w_gate, w_up, w_down;
  std::string bq, bk, bv;  // Q/K/V biases, required when named
  std::string wqkv;        // fused (n_embd, q_dim + 2 kv_dim): Q rows, then K, then V
  std::string w_gate_up;   // fused (n_embd, 2 n_ff): gate rows, then up
  std::string rope_freqs;  // optional (n_rot/2) frequency divisors
};
extern const LlamaNames kGgufLlamaNames;
extern const LlamaNames kHfLlamaNames;

// One member of the family as its files describe it.
struct LlamaVariant {
  std::string gguf_arch;               // general.architecture, also the GGUF key prefix
  std::vector<std::string> hf_archs;   // config.json "architectures"
  LlamaNames gguf_names, hf_names;
  ops::RopeLayout gguf_rope_layout = ops::RopeLayout::kInterleaved;
};

// Llama 1/2/3, TinyLlama, SmolLM and Mistral (GGUF `llama`; HF LlamaForCausalLM,
// MistralForCausalLM).
const LlamaVariant& LlamaFamilyVariant();

// The registry row of a variant (which must outlive the program: return it from a function
// static).
ArchitectureEntry RegistryEntry(const LlamaVariant& v);

class LlamaModel : public Model {
 public:
  ForwardGraph BuildForward(const ForwardShape& shape) const override;

  static Result<std::unique_ptr<Model>> FromGguf(const LlamaVariant& v,
                                                 std::shared_ptr<const formats::GgufFile> gguf,
                                                 const Shard& shard = {});
  static Result<std::unique_ptr<Model>> FromHfFolder(const LlamaVariant& v,
                                                     const std::string& dir,
                                                     const Shard& shard = {});

  const LlamaConfig& config() const { return config_; }

 private:
  Status LoadWeights(const LlamaNames& names);
  void FillInfo(const std::string& arch, const std::string& path, const std::string& format);
  // Keeps this shard's heads, feed-forward columns and layers (llama_shard.cc).
  Status ApplyShard(const Shard& shard, const std::string& path);
  graph::Tensor TpReduce(graph::GraphBuilder& g, graph::Tensor t) const {
    return shard_.tp_size > 1 ? g.AllReduce(t) : t;
  }

  LlamaConfig config_;
  LlamaWeights weights_;
  Shard shard_;
  int64_t layer_begin_ = 0, layer_end_ = -1;  // -1: every layer
};

// Validates hyperparameters; errors name `path`.
Status ValidateConfig(const LlamaConfig& c, const std::string& path);

// Llama 3's RoPE frequency scaling as per-pair divisors of the base frequencies: pairs whose
// wavelength exceeds original_ctx / low_freq_factor are slowed by `factor`, those shorter than
// original_ctx / high_freq_factor are kept, and the band between is interpolated smoothly.
std::vector<float> Llama3FreqFactors(int64_t n_rot, double base, double factor,
                                     double low_freq_factor, double high_freq_factor,
                                     double original_ctx);

}  // namespace miaotui::models::llama
