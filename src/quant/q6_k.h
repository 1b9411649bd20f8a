// Q6_K: super-blocks of 256 weights in 16 sub-blocks of 16. One F16 d; per sub-block an int8
// scale sc; w = (d * sc) * (q - 32), q in 0..63 (low nibble in ql, two high bits in qh).
// Activation format: Q8_K.
#pragma once

#include <cstdint>

#include "quant/k_block.h"

namespace miaotui::quant {

struct BlockQ6_K {
  uint8_t ql[128];    // per 128 elements h: ql[64 h + l] = q[l] | q[l + 64] << 4 (low nibbles),
                      // ql[64 h + 32 + l] = q[l + 32] | q[l + 96] << 4, l < 32
  uint8_t qh[64];     // qh[32 h + l]: bits 2k..2k+1 = bits 4..5 of q[128 h + 32 k + l]
  int8_t scales[16];  // signed sub-block scales
  uint16_t d;         // F16 scale of the scales
};
static_assert(sizeof(BlockQ6_K) == 210);

// ggml's quantize_row_q6_K_ref (llama-quantize without an importance matrix).
// REQUIRES: n % 256 == 0 (likewise below).
void QuantizeQ6_KRow(const float* x, void* blocks, int64_t n);
void QuantizeQ6_KRowWeighted(const float* x, void* blocks, int64_t n, const float* importance);
void DequantizeQ6_KRow(const void* blocks, float* y, int64_t n);
float DotQ6_KQ8_K(const void* w, const void* a, int64_t n);  // a: Q8_K blocks
void UnpackQ6_K(const uint8_t* block, KBlockInts* out);

}  // namespace miaotui::quant
