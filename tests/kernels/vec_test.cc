// vec.h: conversions bit-exact against base/half.h (every F16/BF16 value, random and special
// floats, rounding ties, NaN), Dot and Axpy against the reference and double precision, for every
// available ISA and every length up to a few vectors; nothing past n may be written.
#include "kernels/vec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "base/half.h"
#include "kernel_test_util.h"

namespace miaotui::kernels {
namespace {

using testing::DotTolerance;
using testing::Encode;
using testing::Encoded;
using testing::RandomFloats;

constexpr int kPad = 8;  // sentinel elements after every destination

// Floats that exercise every rounding path of float -> F16/BF16.
std::vector<float> HardFloats() {
  std::mt19937 rng(5);
  std::vector<float> v = {0.f,
                          -0.f,
                          1.f,
                          -1.f,
                          65504.f,
                          65519.f,
                          65520.f,
                          70000.f,
                          1e-8f,
                          5.96e-8f,
                          2.98e-8f,
                          2.99e-8f,
                          6.1e-5f,
                          6.0e-5f,
                          1.0f + 1.0f / 2048,
                          1.0f + 3.0f / 2048,
                          1.0f + 1.0f / 256,
                          1.0f + 3.0f / 256,
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::denorm_min(),
                          std::numeric_limits<float>::max(),
                          -std::numeric_limits<float>::max(),
                          BitsToFloat(0x7fc00000u),
                          BitsToFloat(0xffc00001u),
                          BitsToFloat(0x7f800001u),
                          BitsToFloat(0x7fbfffffu),
                          BitsToFloat(0x7f7fffffu),
                          BitsToFloat(0x3f808000u),
                          BitsToFloat(0x3f818000u),
                          BitsToFloat(0x3f80fff0u)};
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 20000; ++i) v.push_back(BitsToFloat(bits(rng)));  // any float, NaN too
  for (int i = 0; i < 20000; ++i) {
    float f = std::ldexp(std::uniform_real_distribution<float>(-2.f, 2.f)(rng),
                         static_cast<int>(rng() % 60) - 40);
    v.push_back(f);
  }
  for (uint32_t h = 0; h < 65536; h += 7) {  // exact ties between neighbouring halves
    float a = HalfToFloat(static_cast<uint16_t>(h));
    float b = HalfToFloat(static_cast<uint16_t>(h + 1));
    if (std::isfinite(a) && std::isfinite(b)) v.push_back(static_cast<float>((double(a) + b) / 2));
  }
  return v;
}

TEST(VecTest, FromF32IsBitExact) {
  const std::vector<float> src = HardFloats();
  for (Isa isa : AvailableIsas()) {
    for (DType t : {DType::kF16, DType::kBF16}) {
      // Several lengths, so every tail length and start offset is covered.
      for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{5}, int64_t{16}, int64_t{33},
                        static_cast<int64_t>(src.size())}) {
        std::vector<uint16_t> dst(static_cast<size_t>(n) + kPad, 0xabcd);
        FromF32Isa(isa, t, src.data(), dst.data(), n);
        for (int64_t i = 0; i < n; ++i) {
          uint16_t want = t == DType::kF16 ? FloatToHalf(src[i]) : FloatToBf16(src[i]);
          ASSERT_EQ(dst[i], want) << IsaName(isa) << " " << DTypeName(t) << " float bits 0x"
                                  << std::hex << FloatToBits(src[i]);
        }
        for (int j = 0; j < kPad; ++j) ASSERT_EQ(dst[n + j], 0xabcd) << "wrote past n";
      }
    }
    std::vector<float> dst(src.size() + kPad, 3.f);
    FromF32Isa(isa, DType::kF32, src.data(), dst.data(), static_cast<int64_t>(src.size()));
    EXPECT_EQ(std::memcmp(dst.data(), src.data(), src.size() * 4), 0);
    EXPECT_EQ(dst[src.size()], 3.f);
  }
}

TEST(VecTest, ToF32IsExactForEveryHalfAndBf16) {
  std::vector<uint16_t> all(65536);
  for (uint32_t h = 0; h < 65536; ++h) all[h] = static_cast<uint16_t>(h);
  for (Isa isa : AvailableIsas()) {
    for (DType t : {DType::kF16, DType::kBF16}) {
      for (int64_t n : {int64_t{0}, int64_t{3}, int64_t{17}, int64_t{65536}}) {
        std::vector<float> dst(static_cast<size_t>(n) + kPad, 7.f);
        ToF32Isa(isa, t, all.data(), dst.data(), n);
        for (int64_t i = 0; i < n; ++i) {
          float want = t == DType::kF16 ? HalfToFloat(all[i]) : Bf16ToFloat(all[i]);
          if (std::isnan(want)) {
            ASSERT_TRUE(std::isnan(dst[i])) << IsaName(isa) << " bits " << i;
          } else {
            ASSERT_EQ(FloatToBits(dst[i]), FloatToBits(want)) << IsaName(isa) << " bits " << i;
          }
        }
        for (int j = 0; j < kPad; ++j) ASSERT_EQ(dst[n + j], 7.f) << "wrote past n";
      }
    }
  }
}

TEST(VecTest, DotMatchesReferenceAndDouble) {
  std::mt19937 rng(11);
  for (DType t : {DType::kF32, DType::kF16}) {
    for (int64_t n = 0; n < 300; n += (n < 70 ? 1 : 37)) {
      std::vector<float> a = RandomFloats(rng, static_cast<size_t>(n));
      Encoded b = Encode(t, RandomFloats(rng, static_cast<size_t>(n)));
      double exact = 0, abs_sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        exact += static_cast<double>(a[i]) * b.values[i];
        abs_sum += std::fabs(static_cast<double>(a[i]) * b.values[i]);
      }
      float ref = DotIsa(Isa::kScalar, a.data(), b.bytes.data(), t, n);
      ASSERT_NEAR(ref, exact, DotTolerance(abs_sum)) << "scalar n=" << n;
      for (Isa isa : AvailableIsas()) {
        float got = DotIsa(isa, a.data(), b.bytes.data(), t, n);
        ASSERT_NEAR(got, ref, DotTolerance(abs_sum)) << IsaName(isa) << " n=" << n;
      }
    }
  }
}

TEST(VecTest, AxpyMatchesReference) {
  std::mt19937 rng(12);
  for (DType t : {DType::kF32, DType::kF16}) {
    for (int64_t n = 0; n < 300; n += (n < 70 ? 1 : 37)) {
      Encoded x = Encode(t, RandomFloats(rng, static_cast<size_t>(n)));
      std::vector<float> y0 = RandomFloats(rng, static_cast<size_t>(n));
      y0.resize(static_cast<size_t>(n) + kPad, 5.f);
      const float alpha = 0.75f;
      for (Isa isa : AvailableIsas()) {
        std::vector<float> y = y0;
        AxpyIsa(isa, alpha, x.bytes.data(), t, y.data(), n);
        for (int64_t i = 0; i < n; ++i) {
          double exact = y0[i] + static_cast<double>(alpha) * x.values[i];
          double tol = 1.2e-7 * (std::fabs(y0[i]) + std::fabs(alpha * x.values[i])) + 1e-30;
          ASSERT_NEAR(y[i], exact, tol) << IsaName(isa) << " n=" << n << " i=" << i;
        }
        for (int j = 0; j < kPad; ++j) ASSERT_EQ(y[n + j], 5.f) << "wrote past n";
      }
    }
  }
}

TEST(VecTest, DispatchedEntryPointsUseTheActiveIsa) {
  std::vector<float> a = {1.f, 2.f, 3.f};
  std::vector<float> b = {4.f, 5.f, 6.f};
  EXPECT_EQ(Dot(a.data(), b.data(), DType::kF32, 3), 32.f);
  Axpy(2.f, a.data(), DType::kF32, b.data(), 3);
  EXPECT_EQ(b[2], 12.f);
  uint16_t h[3];
  FromF32(DType::kF16, a.data(), h, 3);
  float back[3];
  ToF32(DType::kF16, h, back, 3);
  EXPECT_EQ(back[1], 2.f);
}

}  // namespace
}  // namespace miaotui::kernels
