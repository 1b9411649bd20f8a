// IQ4_NL: blocks of 32 weights, one F16 scale; w[i] = d * kIq4NlValues[q[i]], q[i] in 0..15
// (a non-linear grid). Activation format: Q8_0.
#pragma once

#include <cstdint>

#include "quant/block32.h"

namespace miaotui::quant {

struct BlockIq4Nl {
  uint16_t d;      // F16 scale
  uint8_t qs[16];  // grid indices, qs[j] = q[j] | q[j + 16] << 4
};
static_assert(sizeof(BlockIq4Nl) == 18);

// ggml's quantize_row_iq4_nl_ref (llama-quantize without an importance matrix).
// REQUIRES: n % 32 == 0 (likewise below).
void QuantizeIq4NlRow(const float* x, void* blocks, int64_t n);
// With per-value importances (null: exactly QuantizeIq4NlRow).
void QuantizeIq4NlRowWeighted(const float* x, void* blocks, int64_t n, const float* importance);
void DequantizeIq4NlRow(const void* blocks, float* y, int64_t n);
float DotIq4NlQ8_0(const void* w, const void* a, int64_t n);  // a: Q8_0 blocks
void UnpackIq4Nl(const uint8_t* block, Block32Ints* out);

}  // namespace miaotui::quant
