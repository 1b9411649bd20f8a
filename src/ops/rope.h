// Rotary position embedding (RoPE), in place on [rows, n_heads * head_dim] activations.
//
// For position p and pair index i in [0, n_rot/2): theta = p * base^(-2i / n_rot) (divided by
// freq_scale's inverse, i.e. theta *= freq_scale), and the pair (a, b) becomes
// (a cos - b sin, a sin + b cos). Which two dimensions form pair i is the layout:
//  - kInterleaved (GGUF/llama.cpp "normal" mode, Meta's checkpoint): dims (2i, 2i + 1);
//  - kHalfSplit (Hugging Face "rotate_half", GPT-NeoX): dims (i, i + n_rot/2).
// A Hugging Face Llama checkpoint's Q/K rows are permuted so that kHalfSplit on it gives exactly
// what kInterleaved gives on the GGUF rows; dims >= n_rot are left unrotated.
#pragma once

#include <cstdint>

namespace miaotui::ops {

enum class RopeLayout { kInterleaved, kHalfSplit };

struct RopeParams {
  int64_t n_heads = 0;
  int64_t head_dim = 0;
  int64_t n_rot = 0;  // rotated dims per head (usually head_dim)
  float base = 10000.0f;
  float freq_scale = 1.0f;
  RopeLayout layout = RopeLayout::kInterleaved;
};

void Rope(float* x, const int32_t* positions, int64_t rows, const RopeParams& p, int ith, int nth);

}  // namespace miaotui::ops
