// IQ4_XS: super-blocks of 256 weights in 8 sub-blocks of 32. One F16 d; per sub-block a 6-bit
// scale ls (stored +32); w = (d * (ls - 32)) * kIq4NlValues[q], q in 0..15.
// Activation format: Q8_K.
#pragma once

#include <cstdint>

#include "quant/k_block.h"

namespace miaotui::quant {

struct BlockIq4Xs {
  uint16_t d;           // F16 scale of the scales
  uint16_t scales_h;    // bits 2j..2j+1: bits 4..5 of ls[j]
  uint8_t scales_l[4];  // low nibbles of ls, two per byte (sub-block 2k in the low nibble)
  uint8_t qs[128];      // grid indices, per 32 values the IQ4_NL nibble layout
};
static_assert(sizeof(BlockIq4Xs) == 136);

// ggml's quantize_row_iq4_xs_ref (llama-quantize without an importance matrix).
// REQUIRES: n % 256 == 0 (likewise below).
void QuantizeIq4XsRow(const float* x, void* blocks, int64_t n);
// With per-value importances (null: exactly QuantizeIq4XsRow).
void QuantizeIq4XsRowWeighted(const float* x, void* blocks, int64_t n, const float* importance);
void DequantizeIq4XsRow(const void* blocks, float* y, int64_t n);
float DotIq4XsQ8_K(const void* w, const void* a, int64_t n);  // a: Q8_K blocks
void UnpackIq4Xs(const uint8_t* block, KBlockInts* out);

}  // namespace miaotui::quant
