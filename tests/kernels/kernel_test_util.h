// Helpers for the kernel tests: random data, encoding float weights as F32/F16/BF16 bytes (and
// the exact values those bytes decode to), tolerances derived from the inputs.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "base/half.h"
#include "tensor/dtype.h"

namespace miaotui::kernels::testing {

inline std::vector<float> RandomFloats(std::mt19937& rng, size_t n, float lo = -1.f,
                                       float hi = 1.f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& f : v) f = d(rng);
  return v;
}

// Values rounded to `t` as bytes, plus the floats those bytes decode to.
struct Encoded {
  std::vector<uint8_t> bytes;
  std::vector<float> values;
};

inline Encoded Encode(DType t, const std::vector<float>& v) {
  Encoded e;
  e.values.resize(v.size());
  if (t == DType::kF32) {
    e.bytes.resize(v.size() * 4);
    if (!v.empty()) std::memcpy(e.bytes.data(), v.data(), e.bytes.size());
    e.values = v;
    return e;
  }
  e.bytes.resize(v.size() * 2);
  for (size_t i = 0; i < v.size(); ++i) {
    uint16_t h = t == DType::kF16 ? FloatToHalf(v[i]) : FloatToBf16(v[i]);
    std::memcpy(&e.bytes[i * 2], &h, 2);
    e.values[i] = t == DType::kF16 ? HalfToFloat(h) : Bf16ToFloat(h);
  }
  return e;
}

// Allowed |error| of a float32-accumulated dot product whose terms have absolute sum `abs_sum`.
inline double DotTolerance(double abs_sum) { return 1e-5 * abs_sum + 1e-30; }

}  // namespace miaotui::kernels::testing
