// Qwen2's tensor names: Llama's plus the Q/K/V biases.
#include "models/qwen2/qwen2.h"

namespace miaotui::models::qwen2 {

const llama::LlamaVariant& Qwen2Variant() {
  static const llama::LlamaVariant kVariant = [] {
    llama::LlamaVariant v;
    v.gguf_arch = "qwen2";
    v.hf_archs = {"Qwen2ForCausalLM"};
    v.gguf_names = llama::kGgufLlamaNames;
    v.gguf_names.bq = "blk.{}.attn_q.bias";
    v.gguf_names.bk = "blk.{}.attn_k.bias";
    v.gguf_names.bv = "blk.{}.attn_v.bias";
    v.hf_names = llama::kHfLlamaNames;
    v.hf_names.bq = "model.layers.{}.self_attn.q_proj.bias";
    v.hf_names.bk = "model.layers.{}.self_attn.k_proj.bias";
    v.hf_names.bv = "model.layers.{}.self_attn.v_proj.bias";
    v.gguf_rope_layout = ops::RopeLayout::kHalfSplit;
    return v;
  }();
  return kVariant;
}

}  // namespace miaotui::models::qwen2
