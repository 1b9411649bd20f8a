// Q5_0: blocks of 32 weights, one F16 scale; w[i] = d * (q[i] - 16), q[i] in 0..31.
// Activation format: Q8_0.
#pragma once

#include <cstdint>

#include "quant/block32.h"

namespace miaotui::quant {

struct BlockQ5_0 {
  uint16_t d;      // F16 scale
  uint8_t qh[4];   // bit i = bit 4 of q[i]
  uint8_t qs[16];  // low nibbles: qs[j] = (q[j] & 15) | (q[j + 16] & 15) << 4
};
static_assert(sizeof(BlockQ5_0) == 22);

// ggml's quantize_row_q5_0_ref (byte-identical to llama-quantize). REQUIRES: n % 32 == 0.
void QuantizeQ5_0Row(const float* x, void* blocks, int64_t n);
void DequantizeQ5_0Row(const void* blocks, float* y, int64_t n);
float DotQ5_0Q8_0(const void* w, const void* a, int64_t n);  // a: Q8_0 blocks
void UnpackQ5_0(const uint8_t* block, Block32Ints* out);

}  // namespace miaotui::quant
