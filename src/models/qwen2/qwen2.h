// Qwen2 (GGUF `qwen2`, Hugging Face Qwen2ForCausalLM): a Llama with Q/K/V biases and a large
// rope_theta. Its Q/K rows are never permuted, so GGUF rotates half-split pairs too (llama.cpp's
// NEOX RoPE). Built by the Llama family's loader and graph.
#pragma once

#include "models/llama/llama.h"

namespace miaotui::models::qwen2 {

const llama::LlamaVariant& Qwen2Variant();

}  // namespace miaotui::models::qwen2
