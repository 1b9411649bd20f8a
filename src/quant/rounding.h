// Rounding of a float to a small integer during quantization.
//
// ggml rounds in two ways, and which one a path uses changes the bytes it writes:
//   - NearestInt (ggml's nearest_int): ties to even. Every K-quant and IQ4 search and the Q8_K
//     activation quantizer use it; so does llama.cpp's x86 SIMD Q8_0/Q8_1 activation path.
//   - roundf: ties away from zero. ggml's scalar reference Q8_0/Q8_1 quantizers use it, and so
//     does llama-quantize when it writes Q8_0 weights.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace miaotui::quant {

enum class Rounding {
  kHalfToEven,        // the default for activations: what llama.cpp does on x86 (AVX paths)
  kHalfAwayFromZero,  // ggml's scalar reference (quantize_row_q8_0_ref and friends)
};

// Round to nearest, ties to even, by the float magic-number trick ggml uses.
// REQUIRES: |x| <= 4194303 (2^22 - 1); the float arithmetic must be IEEE single (no fast-math).
inline int NearestInt(float x) {
  float v = x + 12582912.f;  // 1.5 * 2^23: the integer lands in the low mantissa bits
  int32_t i;
  std::memcpy(&i, &v, sizeof(i));
  return (i & 0x007fffff) - 0x00400000;
}

inline int RoundToInt(float x, Rounding r) {
  return r == Rounding::kHalfToEven ? NearestInt(x) : static_cast<int>(std::roundf(x));
}

}  // namespace miaotui::quant
