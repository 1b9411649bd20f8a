// The Llama name maps (GGUF as llama.cpp's converter writes them; Hugging Face LlamaForCausalLM)
// and the registry row builder shared by every Llama-family variant.
#include "models/llama/llama.h"

namespace miaotui::models::llama {

const LlamaNames kGgufLlamaNames = {
    .tok_embd = "token_embd.weight",
    .output_norm = "output_norm.weight",
    .output = "output.weight",
    .attn_norm = "blk.{}.attn_norm.weight",
    .wq = "blk.{}.attn_q.weight",
    .wk = "blk.{}.attn_k.weight",
    .wv = "blk.{}.attn_v.weight",
    .wo = "blk.{}.attn_output.weight",
    .ffn_norm = "blk.{}.ffn_norm.weight",
    .w_gate = "blk.{}.ffn_gate.weight",
    .w_up = "blk.{}.ffn_up.weight",
    .w_down = "blk.{}.ffn_down.weight",
    .rope_freqs = "rope_freqs.weight",
};

const LlamaNames kHfLlamaNames = {
    .tok_embd = "model.embed_tokens.weight",
    .output_norm = "model.norm.weight",
    .output = "lm_head.weight",
    .attn_norm = "model.layers.{}.input_layernorm.weight",
    .wq = "model.layers.{}.self_attn.q_proj.weight",
    .wk = "model.layers.{}.self_attn.k_proj.weight",
    .wv = "model.layers.{}.self_attn.v_proj.weight",
    .wo = "model.layers.{}.self_attn.o_proj.weight",
    .ffn_norm = "model.layers.{}.post_attention_layernorm.weight",
    .w_gate = "model.layers.{}.mlp.gate_proj.weight",
    .w_up = "model.layers.{}.mlp.up_proj.weight",
    .w_down = "model.layers.{}.mlp.down_proj.weight",
};

const LlamaVariant& LlamaFamilyVariant() {
  // Mistral is `llama` in GGUF; its Hugging Face config adds `sliding_window`.
  static const LlamaVariant kVariant = {
      .gguf_arch = "llama",
      .hf_archs = {"LlamaForCausalLM", "MistralForCausalLM"},
      .gguf_names = kGgufLlamaNames,
      .hf_names = kHfLlamaNames,
      .gguf_rope_layout = ops::RopeLayout::kInterleaved,
  };
  return kVariant;
}

ArchitectureEntry RegistryEntry(const LlamaVariant& v) {
  const LlamaVariant* p = &v;
  return ArchitectureEntry{
      .gguf_name = v.gguf_arch,
      .hf_names = v.hf_archs,
      .from_gguf = [p](std::shared_ptr<const formats::GgufFile> f) {
        return LlamaModel::FromGguf(*p, std::move(f));
      },
      .from_hf = [p](const std::string& dir) { return LlamaModel::FromHfFolder(*p, dir); },
      .from_gguf_shard =
          [p](std::shared_ptr<const formats::GgufFile> f, const Shard& shard) {
            return LlamaModel::FromGguf(*p, std::move(f), shard);
          },
      .from_hf_shard = [p](const std::string& dir,
                           const Shard& shard) { return LlamaModel::FromHfFolder(*p, dir, shard); },
  };
}

}  // namespace miaotui::models::llama
