// Q8_K: super-blocks of 256 values, F32 scale, int8 values and the sum of each 16 of them;
// a[e] = d * qs[e]. Only an activation format: every K-quant and IQ4_XS weight is multiplied
// with it (bsums serve the min terms).
#pragma once

#include <cstdint>

#include "quant/rounding.h"

namespace miaotui::quant {

struct BlockQ8_K {
  float d;             // F32 scale = -max / 127, max = the value of largest magnitude
  int8_t qs[256];
  int16_t bsums[16];   // bsums[j] = sum of qs[16 j .. 16 j + 15]
};
static_assert(sizeof(BlockQ8_K) == 292);

// ggml's quantize_row_q8_K_ref: q = min(127, round(x * -127 / max)). ggml rounds half to even
// in every path (nearest_int), so the default of both functions is that; kHalfAwayFromZero is
// offered only for symmetry with Q8_0. REQUIRES: n % 256 == 0.
void QuantizeQ8_KRow(const float* x, void* blocks, int64_t n);
void QuantizeQ8_KActivations(const float* x, void* blocks, int64_t n,
                             Rounding r = Rounding::kHalfToEven);
void DequantizeQ8_KRow(const void* blocks, float* y, int64_t n);  // y = d * qs

}  // namespace miaotui::quant
