// Phi-3 (GGUF `phi3`, Hugging Face Phi3ForCausalLM): a Llama whose Q, K and V live in one fused
// matrix (rows: Q, then K, then V) and whose gate and up projections live in another (rows: gate,
// then up; GGUF calls it ffn_up), with a sliding window and optionally partial rotary dims.
// Rotates half-split pairs in both formats (llama.cpp's NEOX RoPE). Built by the Llama family's
// loader and graph; the fused matrices are sliced by rows, never copied.
#pragma once

#include "models/llama/llama.h"

namespace miaotui::models::phi3 {

const llama::LlamaVariant& Phi3Variant();

}  // namespace miaotui::models::phi3
