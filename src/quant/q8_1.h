// Q8_1: blocks of 32 values, F16 scale d and F16 s = d * sum(q); w[i] = d * q[i].
// Only an activation format: Q4_1 and Q5_1 weights are multiplied with it, and s carries the
// sum their min term needs. (ggml has no Q8_1 weights and no to_float for it; the dequantizer
// here exists for tests.)
#pragma once

#include <cstdint>

#include "quant/rounding.h"

namespace miaotui::quant {

struct BlockQ8_1 {
  uint16_t d;  // F16 scale = max|x| / 127
  uint16_t s;  // F16 of d * sum_i qs[i]
  int8_t qs[32];
};
static_assert(sizeof(BlockQ8_1) == 36);

// ggml's quantize_row_q8_1_ref (ties away from zero). REQUIRES: n % 32 == 0.
void QuantizeQ8_1Row(const float* x, void* blocks, int64_t n);
// Rounding as for QuantizeQ8_0Activations; the default is llama.cpp's x86 path.
void QuantizeQ8_1Activations(const float* x, void* blocks, int64_t n,
                             Rounding r = Rounding::kHalfToEven);
void DequantizeQ8_1Row(const void* blocks, float* y, int64_t n);

}  // namespace miaotui::quant
