// Q8_0: blocks of 32 values, one F16 scale; w[i] = d * q[i], q[i] in -127..127.
// Both a weight format and the activation format that Q4_0, Q5_0, Q8_0 and IQ4_NL weights are
// multiplied with (llama.cpp quantizes each activation row to Q8_0 before those products).
#pragma once

#include <cstdint>

#include "quant/block32.h"
#include "quant/rounding.h"

namespace miaotui::quant {

struct BlockQ8_0 {
  uint16_t d;        // F16 scale = max|x| / 127
  int8_t qs[32];
};
static_assert(sizeof(BlockQ8_0) == 34);

// ggml's quantize_row_q8_0_ref: q = roundf(x * (1 / d)), ties away from zero. These are the
// bytes llama-quantize and gguf-py write for Q8_0 weights. REQUIRES: n % 32 == 0.
void QuantizeQ8_0Row(const float* x, void* blocks, int64_t n);

// For activations. kHalfToEven (default) is llama.cpp's x86 path: q = round-half-even(x * (127 /
// max|x|)); kHalfAwayFromZero is exactly QuantizeQ8_0Row. The two differ in the tie rule and, in
// the last bit, in the multiplier. REQUIRES: n % 32 == 0.
void QuantizeQ8_0Activations(const float* x, void* blocks, int64_t n,
                             Rounding r = Rounding::kHalfToEven);

// One block's values and scale (shared with Q8_1): returns d = max|x| / 127 as float.
float QuantizeQ8Block32(const float* x, int8_t* q, Rounding r);

void DequantizeQ8_0Row(const void* blocks, float* y, int64_t n);
float DotQ8_0Q8_0(const void* w, const void* a, int64_t n);
void UnpackQ8_0(const uint8_t* block, Block32Ints* out);

}  // namespace miaotui::quant
