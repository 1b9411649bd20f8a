// Q5_K: super-blocks of 256 weights in 8 sub-blocks of 32. F16 d and dmin; per sub-block a
// 6-bit scale sc and 6-bit min m; w = (d * sc) * q - dmin * m, q in 0..31 (low nibble in qs,
// fifth bit in qh). Activation format: Q8_K.
#pragma once

#include <cstdint>

#include "quant/k_block.h"

namespace miaotui::quant {

struct BlockQ5_K {
  uint16_t d;           // F16 scale of the scales
  uint16_t dmin;        // F16 scale of the mins
  uint8_t scales[12];   // 6-bit sc and m of 8 sub-blocks, see SetScaleMinK4
  uint8_t qh[32];       // bit k of qh[l] = bit 4 of q[32 k + l]
  uint8_t qs[128];      // low nibbles, laid out as in Q4_K
};
static_assert(sizeof(BlockQ5_K) == 176);

// ggml's quantize_row_q5_K_ref (llama-quantize without an importance matrix).
// REQUIRES: n % 256 == 0 (likewise below).
void QuantizeQ5_KRow(const float* x, void* blocks, int64_t n);
void QuantizeQ5_KRowWeighted(const float* x, void* blocks, int64_t n, const float* importance);
void DequantizeQ5_KRow(const void* blocks, float* y, int64_t n);
float DotQ5_KQ8_K(const void* w, const void* a, int64_t n);  // a: Q8_K blocks
void UnpackQ5_K(const uint8_t* block, KBlockInts* out);

}  // namespace miaotui::quant
