// quantize -> dequantize round trips of every format on random and special rows, with a
// per-format error budget (RMSE relative to the row's RMS on normal(0, 1) data), and the
// rounding modes of the activation quantizers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "base/half.h"
#include "quant/q8_0.h"
#include "quant/q8_1.h"
#include "quant/q8_k.h"
#include "quant/traits.h"
#include "quant_test_util.h"

namespace miaotui::quant {
namespace {

using testing::RandomRow;
using testing::Rms;
using testing::Rmse;
using testing::RoundTrip;

// Measured values are about 60-85% of these (printed by the test).
const std::map<std::string, double> kBudget = {
    {"Q4_0", 0.125}, {"Q4_1", 0.105}, {"Q5_0", 0.062}, {"Q5_1", 0.052}, {"Q8_0", 0.0065},
    {"Q8_1", 0.0065}, {"Q2_K", 0.36}, {"Q3_K", 0.20}, {"Q4_K", 0.10},  {"Q5_K", 0.05},
    {"Q6_K", 0.025}, {"Q8_K", 0.0095}, {"IQ4_NL", 0.11}, {"IQ4_XS", 0.11},
};

TEST(QuantRoundTrip, RandomRowsWithinBudget) {
  for (const QuantTraits& t : AllQuantTraits()) {
    SCOPED_TRACE(t.name);
    ASSERT_EQ(kBudget.count(t.name), 1u);
    // An odd number of blocks, and a long row.
    for (int64_t n : {3 * t.block_size, int64_t{8192}}) {
      const std::vector<float> x = RandomRow(n, 1234 + static_cast<uint32_t>(n));
      const std::vector<float> y = RoundTrip(t, x);
      const double rel = Rmse(x.data(), y.data(), x.size()) / Rms(x);
      std::printf("  %-7s n=%-5lld relative rmse %.5f (budget %.4f)\n", t.name,
                  static_cast<long long>(n), rel, kBudget.at(t.name));
      EXPECT_LE(rel, kBudget.at(t.name)) << "n=" << n;
    }
  }
}

TEST(QuantRoundTrip, SpecialRows) {
  const int64_t n = 512;
  std::vector<std::pair<std::string, std::vector<float>>> rows;
  rows.push_back({"zeros", std::vector<float>(n, 0.0f)});
  rows.push_back({"constant", std::vector<float>(n, 0.75f)});
  rows.push_back({"negative constant", std::vector<float>(n, -3.0f)});
  rows.push_back({"tiny", RandomRow(n, 7, 1e-30f)});
  std::vector<float> outlier = RandomRow(n, 8, 0.01f);
  outlier[100] = 1000.0f;
  rows.push_back({"outlier", outlier});
  for (const QuantTraits& t : AllQuantTraits()) {
    for (const auto& [name, x] : rows) {
      SCOPED_TRACE(std::string(t.name) + " " + name);
      const std::vector<float> y = RoundTrip(t, x);
      for (float v : y) ASSERT_TRUE(std::isfinite(v));
      if (name == "zeros") {
        for (float v : y) ASSERT_EQ(v, 0.0f);
      }
      if (name == "constant" || name == "negative constant") {
        EXPECT_LE(Rmse(x.data(), y.data(), x.size()), 0.02 * std::fabs(x[0]));
      }
      if (name == "outlier") {
        EXPECT_NEAR(y[100], 1000.0f, 1000.0f * 0.1);
      }
    }
  }
}

// x[j] = 127 * j / 2 / 127 style ties: with max|x| = 127, both paths scale by exactly 1.
std::vector<float> TieRow(int64_t n) {
  std::vector<float> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) x[i] = (i % 32 == 0) ? 127.0f : 0.5f + (i % 7) - 3;
  return x;
}

TEST(QuantActivations, Q8_0TiesFollowTheRoundingMode) {
  const std::vector<float> x = TieRow(64);  // values ..., -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, ...
  BlockQ8_0 even[2], away[2];
  QuantizeQ8_0Activations(x.data(), even, 64, Rounding::kHalfToEven);
  QuantizeQ8_0Activations(x.data(), away, 64, Rounding::kHalfAwayFromZero);
  for (int i = 1; i < 32; ++i) {
    EXPECT_EQ(even[0].qs[i], static_cast<int8_t>(std::nearbyint(x[i]))) << x[i];
    EXPECT_EQ(away[0].qs[i], static_cast<int8_t>(std::round(x[i]))) << x[i];
  }
  // The weight quantizer is ggml's scalar reference: ties away from zero.
  BlockQ8_0 ref[2];
  QuantizeQ8_0Row(x.data(), ref, 64);
  EXPECT_EQ(std::memcmp(ref, away, sizeof(ref)), 0);
}

TEST(QuantActivations, Q8_1StoresTheScaledSum) {
  const std::vector<float> x = RandomRow(96, 5);
  BlockQ8_1 b[3];
  QuantizeQ8_1Activations(x.data(), b, 96);
  for (const BlockQ8_1& blk : b) {
    int sum = 0;
    for (int8_t q : blk.qs) sum += q;
    // s = F16(d * sum) with the unrounded d; both F16 roundings are within 2^-11 relative.
    const float expected = HalfToFloat(blk.d) * static_cast<float>(sum);
    EXPECT_NEAR(HalfToFloat(blk.s), expected, std::fabs(expected) * 1e-3 + 1e-6);
  }
}

TEST(QuantActivations, Q8_KBlockSums) {
  const std::vector<float> x = RandomRow(512, 6);
  BlockQ8_K b[2];
  QuantizeQ8_KActivations(x.data(), b, 512);
  for (const BlockQ8_K& blk : b) {
    for (int j = 0; j < 16; ++j) {
      int sum = 0;
      for (int k = 0; k < 16; ++k) sum += blk.qs[16 * j + k];
      EXPECT_EQ(blk.bsums[j], sum);
    }
  }
  // ggml rounds Q8_K half to even on every path; the default follows it.
  BlockQ8_K ref[2];
  QuantizeQ8_KRow(x.data(), ref, 512);
  EXPECT_EQ(std::memcmp(ref, b, sizeof(b)), 0);
}

}  // namespace
}  // namespace miaotui::quant
