// KBlock: the integer view shared by the formats with 256-element super-blocks (Q2_K, Q3_K,
// Q4_K, Q5_K, Q6_K, IQ4_XS), and the row loops built on it.
//
// Every such format is, per super-block, an F16 scale d (and for some an F16 dmin) and per
// sub-block of 16 or 32 elements a small integer scale sc (and min m):
//     w[e] = (d * sc[j]) * q[e] - dmin * m[j],   j = e / sub_size.
// A format supplies an UnpackKBlockFn that turns one super-block's bytes into a KBlockInts; the
// row dequantizer and the dot product against Q8_K follow from it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace miaotui::quant {

inline constexpr int64_t kQK_K = 256;

struct KBlockInts {
  float d = 0;        // super-block scale (from F16)
  float dmin = 0;     // super-block min scale (from F16); 0 for formats without mins
  int sub_size = 16;  // elements per sub-block: 16 or 32
  int8_t q[kQK_K];    // integer value of each element, offsets removed
  int16_t sc[16];     // integer scale of each sub-block (signed)
  int16_t m[16];      // integer min of each sub-block; 0 for formats without mins
};

using UnpackKBlockFn = void (*)(const uint8_t* block, KBlockInts* out);

// w[e] as above, with the float operations in ggml's order, so bit-identical to its to_float.
// REQUIRES: n % 256 == 0.
void DequantizeKBlockRow(const void* blocks, size_t block_bytes, UnpackKBlockFn unpack, float* y,
                         int64_t n);

// Against Q8_K activations (a[e] = d_a * qa[e]), per super-block:
//     (d * d_a) * sum_j sc[j] * sum_{e in j} q[e] * qa[e]  -  (dmin * d_a) * sum_j m[j] * bsum_j
// where bsum_j = sum_{e in j} qa[e] (from the block's bsums). Integer sums are exact, so the
// result equals the f32 dot of the two dequantized rows up to float rounding.
// REQUIRES: n % 256 == 0.
float DotKBlockQ8_KRow(const void* w, size_t block_bytes, UnpackKBlockFn unpack, const void* a,
                       int64_t n);

}  // namespace miaotui::quant
