// Q2_K: super-blocks of 256 weights in 16 sub-blocks of 16. F16 d and dmin; per sub-block a
// 4-bit scale sc and 4-bit min m; w = (d * sc) * q - dmin * m, q in 0..3.
// Activation format: Q8_K.
#pragma once

#include <cstdint>

#include "quant/k_block.h"

namespace miaotui::quant {

struct BlockQ2_K {
  uint8_t scales[16];  // scales[j] = sc[j] | m[j] << 4
  uint8_t qs[64];      // 2-bit levels, see Pack2BitQuants
  uint16_t d;          // F16 scale of the scales
  uint16_t dmin;       // F16 scale of the mins
};
static_assert(sizeof(BlockQ2_K) == 84);

// ggml's quantize_row_q2_K_ref (llama-quantize without an importance matrix).
// REQUIRES: n % 256 == 0 (likewise below).
void QuantizeQ2_KRow(const float* x, void* blocks, int64_t n);
void QuantizeQ2_KRowWeighted(const float* x, void* blocks, int64_t n, const float* importance);
void DequantizeQ2_KRow(const void* blocks, float* y, int64_t n);
float DotQ2_KQ8_K(const void* w, const void* a, int64_t n);  // a: Q8_K blocks
void UnpackQ2_K(const uint8_t* block, KBlockInts* out);

}  // namespace miaotui::quant
