// Q3_K: super-blocks of 256 weights in 16 sub-blocks of 16. One F16 d; per sub-block a 6-bit
// scale sc (stored +32); w = (d * (sc - 32)) * (q - 4), q in 0..7 (two low bits in qs, the third
// in hmask). Activation format: Q8_K.
#pragma once

#include <cstdint>

#include "quant/k_block.h"

namespace miaotui::quant {

struct BlockQ3_K {
  uint8_t hmask[32];   // bit k of hmask[l] = bit 2 of q[32 k + l]
  uint8_t qs[64];      // low 2 bits, see Pack2BitQuants
  uint8_t scales[12];  // 16 6-bit scales: low nibbles in bytes 0..7, high pairs in 8..11
  uint16_t d;          // F16 scale of the scales
};
static_assert(sizeof(BlockQ3_K) == 110);

// ggml's quantize_row_q3_K_ref (llama-quantize without an importance matrix).
// REQUIRES: n % 256 == 0 (likewise below).
void QuantizeQ3_KRow(const float* x, void* blocks, int64_t n);
void QuantizeQ3_KRowWeighted(const float* x, void* blocks, int64_t n, const float* importance);
void DequantizeQ3_KRow(const void* blocks, float* y, int64_t n);
float DotQ3_KQ8_K(const void* w, const void* a, int64_t n);  // a: Q8_K blocks
void UnpackQ3_K(const uint8_t* block, KBlockInts* out);

}  // namespace miaotui::quant
