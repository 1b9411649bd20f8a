// Helpers shared by the quant tests: random rows, error measures, reading F32 tensors.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "quant/traits.h"

namespace miaotui::quant::testing {

// n values drawn from normal(0, sigma) with a fixed seed.
inline std::vector<float> RandomRow(int64_t n, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

inline double Rmse(const float* a, const float* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return n ? std::sqrt(s / static_cast<double>(n)) : 0.0;
}

inline double Rms(const std::vector<float>& a) {
  std::vector<float> zero(a.size(), 0.0f);
  return Rmse(a.data(), zero.data(), a.size());
}

// Quantizes x with the row's reference quantizer and dequantizes it back.
inline std::vector<float> RoundTrip(const QuantTraits& t, const std::vector<float>& x) {
  const auto n = static_cast<int64_t>(x.size());
  std::vector<uint8_t> q(static_cast<size_t>(n / t.block_size * t.block_bytes));
  t.quantize_row(x.data(), q.data(), n);
  std::vector<float> y(x.size());
  t.dequantize_row(q.data(), y.data(), n);
  return y;
}

}  // namespace miaotui::quant::testing
