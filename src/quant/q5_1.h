// Q5_1: blocks of 32 weights, F16 scale and F16 min; w[i] = d * q[i] + m, q[i] in 0..31.
// Activation format: Q8_1.
#pragma once

#include <cstdint>

#include "quant/block32.h"

namespace miaotui::quant {

struct BlockQ5_1 {
  uint16_t d;      // F16 scale
  uint16_t m;      // F16 min
  uint8_t qh[4];   // bit i = bit 4 of q[i]
  uint8_t qs[16];  // low nibbles: qs[j] = (q[j] & 15) | (q[j + 16] & 15) << 4
};
static_assert(sizeof(BlockQ5_1) == 24);

// ggml's quantize_row_q5_1_ref (byte-identical to llama-quantize). REQUIRES: n % 32 == 0.
void QuantizeQ5_1Row(const float* x, void* blocks, int64_t n);
void DequantizeQ5_1Row(const void* blocks, float* y, int64_t n);
float DotQ5_1Q8_1(const void* w, const void* a, int64_t n);  // a: Q8_1 blocks
void UnpackQ5_1(const uint8_t* block, Block32Ints* out);

}  // namespace miaotui::quant
