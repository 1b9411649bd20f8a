// Block32: the integer view shared by the formats with 32-element blocks (Q4_0, Q4_1, Q5_0,
// Q5_1, Q8_0, IQ4_NL), and the row loops built on it.
//
// Each such format supplies an UnpackBlock32Fn that turns one block's bytes into a Block32Ints:
// the element values are w[i] = q[i] * d (formats without a min) or w[i] = q[i] * d + m. From
// that one function the row dequantizer and the dot products against Q8_0 and Q8_1 follow, so a
// format file holds only what is particular to it: its bytes and its quantizer.
//
// Also here: the nibble packing and the two scale searches of the legacy formats (ggml's
// reference quantizers), shared by the 4- and 5-bit formats.
#pragma once

#include <cstddef>
#include <cstdint>

namespace miaotui::quant {

inline constexpr int64_t kBlock32 = 32;

struct Block32Ints {
  float d = 0;           // scale (already widened from F16)
  float m = 0;           // offset, used only when has_min
  bool has_min = false;
  int8_t q[kBlock32];    // integer value of each element, any offset already removed
};

// Reads one block (`block` need not be aligned).
using UnpackBlock32Fn = void (*)(const uint8_t* block, Block32Ints* out);

// y[i] = q[i] * d, or q[i] * d + m: the same float operations, in the same order, as ggml's
// scalar to_float, so results are bit-identical. REQUIRES: n % 32 == 0.
void DequantizeBlock32Row(const void* blocks, size_t block_bytes, UnpackBlock32Fn unpack, float* y,
                          int64_t n);

// Sum over blocks of (d_w * d_a) * sum_i(q_w[i] * q_a[i]) against Q8_0 activations, plus
// m_w * s_a against Q8_1 (s_a = the F16 value d_a * sum_i q_a[i] stored in the block).
// Integer sums are exact; the result differs from the f32 dot of the dequantized rows only by
// float rounding (and, for Q8_1, by the F16 rounding of s_a). REQUIRES: n % 32 == 0.
float DotBlock32Q8_0Row(const void* w, size_t block_bytes, UnpackBlock32Fn unpack, const void* a,
                        int64_t n);
float DotBlock32Q8_1Row(const void* w, size_t block_bytes, UnpackBlock32Fn unpack, const void* a,
                        int64_t n);

// qs[j] = l[j] | l[j + 16] << 4 for j < 16 (the nibble layout of every 32-element format).
void PackNibbles32(const uint8_t* l, uint8_t* qs);
// 5-bit levels: the low nibbles as above, bit 4 of l[i] in bit i of qh (little-endian).
void PackFiveBits32(const uint8_t* l, uint8_t qh[4], uint8_t qs[16]);
// q[i] = level i (with its fifth bit from qh when qh is not null) + offset.
void UnpackLevels32(const uint8_t* qs, const uint8_t* qh, int offset, int8_t* q);

// ggml's Q4_0/Q5_0 search: d = x_max / -(levels / 2), where x_max is the value of largest
// magnitude; l[i] = min(levels - 1, trunc(x[i] / d + levels / 2 + 0.5)). Returns d (float; the
// caller stores it as F16). levels is 16 or 32.
float QuantizeSymmetric32(const float* x, int levels, uint8_t* l);

// ggml's Q4_1/Q5_1 search: d = (max - min) / (levels - 1), l[i] = trunc((x[i] - min) / d + 0.5).
void QuantizeAffine32(const float* x, int levels, uint8_t* l, float* d, float* min);

}  // namespace miaotui::quant
