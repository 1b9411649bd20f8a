// Phi-3's tensor names: fused attn_qkv / qkv_proj and ffn_up / gate_up_proj.
#include "models/phi3/phi3.h"

namespace miaotui::models::phi3 {

const llama::LlamaVariant& Phi3Variant() {
  static const llama::LlamaVariant kVariant = [] {
    llama::LlamaVariant v;
    v.gguf_arch = "phi3";
    v.hf_archs = {"Phi3ForCausalLM"};
    v.gguf_names = llama::kGgufLlamaNames;
    v.gguf_names.wq = v.gguf_names.wk = v.gguf_names.wv = "";
    v.gguf_names.wqkv = "blk.{}.attn_qkv.weight";
    v.gguf_names.w_gate = v.gguf_names.w_up = "";
    v.gguf_names.w_gate_up = "blk.{}.ffn_up.weight";
    v.hf_names = llama::kHfLlamaNames;
    v.hf_names.wq = v.hf_names.wk = v.hf_names.wv = "";
    v.hf_names.wqkv = "model.layers.{}.self_attn.qkv_proj.weight";
    v.hf_names.w_gate = v.hf_names.w_up = "";
    v.hf_names.w_gate_up = "model.layers.{}.mlp.gate_up_proj.weight";
    v.gguf_rope_layout = ops::RopeLayout::kHalfSplit;
    return v;
  }();
  return kVariant;
}

}  // namespace miaotui::models::phi3
