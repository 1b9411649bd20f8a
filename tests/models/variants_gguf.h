// Test helper: converts a tiny Hugging Face Llama-family folder (tests/models/fixtures/<variant>)
// to GGUF the way llama.cpp's converter names it - architecture `llama` (Llama, Mistral,
// SmolLM; Q/K rows permuted for interleaved RoPE; Llama 3 scaling as rope_freqs.weight), `qwen2`
// or `phi3` (fused tensors kept fused) - so that each variant's GGUF path is tested against the
// same reference outputs. The tokenizer is a synthetic vocabulary of the config's size: the tests
// feed token ids, so only the size matters.
#pragma once

#include <string>

#include "base/status.h"

namespace miaotui::testing {

Status ConvertHfFixtureToGguf(const std::string& hf_dir, const std::string& gguf_path);

}  // namespace miaotui::testing
