// Q4_K: super-blocks of 256 weights in 8 sub-blocks of 32. F16 d and dmin; per sub-block a
// 6-bit scale sc and 6-bit min m; w = (d * sc) * q - dmin * m, q in 0..15.
// Activation format: Q8_K.
#pragma once

#include <cstdint>

#include "quant/k_block.h"

namespace miaotui::quant {

struct BlockQ4_K {
  uint16_t d;           // F16 scale of the scales
  uint16_t dmin;        // F16 scale of the mins
  uint8_t scales[12];   // 6-bit sc and m of 8 sub-blocks, see SetScaleMinK4
  uint8_t qs[128];      // for each 64 elements: 32 bytes, low nibble = first 32, high = next 32
};
static_assert(sizeof(BlockQ4_K) == 144);

// ggml's quantize_row_q4_K_ref (llama-quantize without an importance matrix).
// REQUIRES: n % 256 == 0 (likewise below).
void QuantizeQ4_KRow(const float* x, void* blocks, int64_t n);
// With per-value importances (n values; null: exactly QuantizeQ4_KRow), likewise for the other
// K-quants and IQ4 formats.
void QuantizeQ4_KRowWeighted(const float* x, void* blocks, int64_t n, const float* importance);
void DequantizeQ4_KRow(const void* blocks, float* y, int64_t n);
float DotQ4_KQ8_K(const void* w, const void* a, int64_t n);  // a: Q8_K blocks
void UnpackQ4_K(const uint8_t* block, KBlockInts* out);
// d, dmin and the 8 sub-block scales and mins of the Q4_K/Q5_K layout (shared with Q5_K).
void UnpackK4Scales(uint16_t d, uint16_t dmin, const uint8_t* scales, KBlockInts* out);

}  // namespace miaotui::quant
