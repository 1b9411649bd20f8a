// ConvertHfToGguf: a Hugging Face Llama folder (config.json, safetensors, tokenizer.json) to a
// GGUF file that llama.cpp and miaotui read, as llama.cpp's convert_hf_to_gguf.py does.
//
// Contract:
//  - Input: config.json with architectures[0] LlamaForCausalLM (or MistralForCausalLM without
//    a sliding window); rope_scaling null or "default"; weights F32/F16/BF16 in model.safetensors
//    or shards; a SentencePiece-style tokenizer.json (model "llama" vocabularies only).
//  - Tensor names: model.embed_tokens -> token_embd, model.layers.N.* -> blk.N.{attn_norm,
//    attn_q, attn_k, attn_v, attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down}, model.norm ->
//    output_norm, lm_head -> output (absent when tied). Q and K rows are permuted from the
//    Hugging Face rotate-half layout back to GGUF's interleaved RoPE pairs.
//  - Metadata: llama.* hyperparameters, tokenizer.ggml.{model, tokens, scores, token_type,
//    bos/eos/unknown/padding ids, add_bos_token, add_eos_token, add_space_prefix},
//    tokenizer.chat_template when the folder has one, general.name and general.file_type.
//  - Types: 1-D tensors stay F32; matrices become `type` (F32, F16, BF16); any other name that
//    ParseQuantPreset accepts (Q8_0, Q4_K_M, ...) writes an F32/F16 GGUF first and then runs
//    Quantize on it (pure, so the one type applies throughout).
//  - Writes atomically; refuses an unknown tensor name (listing it) rather than dropping it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace miaotui::compress {

struct ConvertOptions {
  std::string type = "F16";  // F32, F16, BF16, or a quantization preset name
  int n_threads = 0;         // quantization threads (0: every core)
};

struct ConvertReport {
  std::string arch;                 // "llama"
  int64_t n_params = 0;
  uint64_t out_file_bytes = 0;
  std::vector<std::string> tensors;  // "name type [shape]", output order
};

Result<ConvertReport> ConvertHfToGguf(const std::string& hf_dir, const std::string& out_path,
                                      const ConvertOptions& options);

}  // namespace miaotui::compress
