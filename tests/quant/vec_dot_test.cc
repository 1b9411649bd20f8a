// vec_dot_ref of every format equals the dot of the dequantized weights with the dequantized
// activations, up to float rounding (and, against Q8_1, the F16 rounding of the stored sum s).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "base/half.h"
#include "quant/q8_1.h"
#include "quant/traits.h"
#include "quant_test_util.h"

namespace miaotui::quant {
namespace {

using testing::RandomRow;

std::vector<uint8_t> Quantize(const QuantTraits& t, const std::vector<float>& x) {
  std::vector<uint8_t> q(x.size() / t.block_size * t.block_bytes);
  t.quantize_row(x.data(), q.data(), static_cast<int64_t>(x.size()));
  return q;
}

std::vector<float> Dequantize(const QuantTraits& t, const std::vector<uint8_t>& q, size_t n) {
  std::vector<float> y(n);
  t.dequantize_row(q.data(), y.data(), static_cast<int64_t>(n));
  return y;
}

void CheckDot(const QuantTraits& w_traits, int64_t n, uint32_t seed, Rounding rounding) {
  const QuantTraits& a_traits = *GetQuantTraits(w_traits.vec_dot_type);
  const std::vector<float> w = RandomRow(n, seed, 0.05f);
  std::vector<float> x = RandomRow(n, seed + 1);
  for (int64_t i = 0; i < n; i += 37) x[i] *= 8;  // some large activations
  const std::vector<uint8_t> wq = Quantize(w_traits, w);
  std::vector<uint8_t> aq(n / a_traits.block_size * a_traits.block_bytes);
  a_traits.quantize_act(x.data(), aq.data(), n, rounding);
  const std::vector<float> wd = Dequantize(w_traits, wq, n);
  const std::vector<float> ad = Dequantize(a_traits, aq, n);

  double expected = 0, magnitude = 0;
  for (int64_t i = 0; i < n; ++i) {
    expected += double(wd[i]) * ad[i];
    magnitude += std::fabs(double(wd[i]) * ad[i]);
  }
  const double blocks = static_cast<double>(n / w_traits.block_size);
  double tolerance = 1e-6 * (blocks + 4) * magnitude;
  if (a_traits.dtype == DType::kQ8_1) {
    // The min term uses s = F16(d * sum q), not the dequantized activations' sum.
    for (int64_t b = 0; b < n / 32; ++b) {
      BlockQ8_1 blk;
      std::memcpy(&blk, aq.data() + b * sizeof(BlockQ8_1), sizeof(blk));
      float wmax = 0;
      for (int i = 0; i < 32; ++i) wmax = std::max(wmax, std::fabs(wd[b * 32 + i]));
      tolerance += wmax * std::fabs(HalfToFloat(blk.s)) * 2e-3;
    }
  }
  const float got = w_traits.vec_dot_ref(wq.data(), aq.data(), n);
  EXPECT_NEAR(got, expected, tolerance) << w_traits.name << " n=" << n;
  // And it is a dot product of the original vectors, approximately.
  double exact = 0;
  for (int64_t i = 0; i < n; ++i) exact += double(w[i]) * x[i];
  EXPECT_NEAR(got, exact, 0.5 * magnitude / std::sqrt(static_cast<double>(n)) + 0.05 * magnitude)
      << w_traits.name;
}

TEST(QuantVecDot, MatchesDequantizedDot) {
  int checked = 0;
  for (const QuantTraits& t : AllQuantTraits()) {
    if (t.vec_dot_ref == nullptr) continue;
    for (int64_t n : {t.block_size, 3 * t.block_size, int64_t{4096}}) {
      CheckDot(t, n, 100 + static_cast<uint32_t>(n), Rounding::kHalfToEven);
      CheckDot(t, n, 200 + static_cast<uint32_t>(n), Rounding::kHalfAwayFromZero);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 12);
}

TEST(QuantVecDot, ZeroWeightsGiveZero) {
  for (const QuantTraits& t : AllQuantTraits()) {
    if (t.vec_dot_ref == nullptr) continue;
    const QuantTraits& a = *GetQuantTraits(t.vec_dot_type);
    const int64_t n = 512;
    std::vector<uint8_t> wq = Quantize(t, std::vector<float>(n, 0.0f));
    const std::vector<float> x = RandomRow(n, 9);
    std::vector<uint8_t> aq(n / a.block_size * a.block_bytes);
    a.quantize_act(x.data(), aq.data(), n, Rounding::kHalfToEven);
    EXPECT_EQ(t.vec_dot_ref(wq.data(), aq.data(), n), 0.0f) << t.name;
  }
}

}  // namespace
}  // namespace miaotui::quant
