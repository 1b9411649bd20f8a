// Q4_0: blocks of 32 weights, one F16 scale; w[i] = d * (q[i] - 8), q[i] in 0..15.
// Activation format: Q8_0.
#pragma once

#include <cstdint>

#include "quant/block32.h"

namespace miaotui::quant {

struct BlockQ4_0 {
  uint16_t d;      // F16 scale
  uint8_t qs[16];  // qs[j] = q[j] | q[j + 16] << 4
};
static_assert(sizeof(BlockQ4_0) == 18);

// ggml's quantize_row_q4_0_ref (byte-identical to llama-quantize). REQUIRES: n % 32 == 0.
void QuantizeQ4_0Row(const float* x, void* blocks, int64_t n);
void DequantizeQ4_0Row(const void* blocks, float* y, int64_t n);
float DotQ4_0Q8_0(const void* w, const void* a, int64_t n);  // a: Q8_0 blocks
void UnpackQ4_0(const uint8_t* block, Block32Ints* out);

}  // namespace miaotui::quant
