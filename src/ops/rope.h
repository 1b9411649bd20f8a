// Rotary position embedding (RoPE), in place on [rows, n_heads * head_dim] activations.
//
// For position p and pair index i in [0, n_rot/2): theta = p * freq_scale * base^(-2i / n_rot)
// / freq_factors[i] (freq_factors: optional per-pair divisors, e.g. Llama 3's frequency scaling,
// llama.cpp's `rope_freqs`), and the pair (a, b) becomes
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
  const float* freq_factors = nullptr;  // n_rot/2 divisors of each pair's frequency, or none;
                                        // the owner (the model) outlives every graph using it
};

void Rope(float* x, const int32_t* positions, int64_t rows, const RopeParams& p, int ith, int nth);

}  // namespace miaotui::ops
