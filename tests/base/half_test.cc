#include "base/half.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace miaotui {
namespace {

TEST(HalfTest, AllHalfValuesRoundTripThroughFloat) {
  for (uint32_t h = 0; h < 65536; ++h) {
    float f = HalfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(FloatToHalf(f), h) << "half bits " << h;
  }
}

TEST(HalfTest, RoundsToNearestEven) {
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f + 1.0f / 2048)), 1.0f);  // tie -> even (1.0)
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f + 3.0f / 2048)), 1.0f + 4.0f / 2048);
  EXPECT_EQ(FloatToHalf(70000.0f), 0x7c00);  // overflow -> inf
  EXPECT_EQ(HalfToFloat(FloatToHalf(1e-8f)), 0.0f);
}

TEST(HalfTest, RandomFloatsMatchNearestHalf) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-100.f, 100.f);
  for (int i = 0; i < 100000; ++i) {
    float f = d(rng) * std::pow(2.0f, static_cast<float>(static_cast<int>(rng() % 40) - 30));
    uint16_t h = FloatToHalf(f);
    float back = HalfToFloat(h);
    // No neighbouring half is strictly closer.
    float up = HalfToFloat(static_cast<uint16_t>(h + 1));
    float down = HalfToFloat(static_cast<uint16_t>(h - 1));
    if (std::isinf(back)) continue;
    EXPECT_FALSE(std::fabs(back - f) > std::fabs(up - f)) << f;  // NaN neighbours pass
    EXPECT_FALSE(std::fabs(back - f) > std::fabs(down - f)) << f;
  }
}

TEST(HalfTest, Bf16RoundsToNearestEven) {
  EXPECT_EQ(FloatToBf16(1.0f), 0x3f80);
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(1.0f + 1.0f / 256)), 1.0f);             // tie -> even
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(1.0f + 3.0f / 256)), 1.0f + 4.0f / 256);  // tie -> even
  EXPECT_TRUE(std::isnan(Bf16ToFloat(FloatToBf16(std::nanf("")))));
}

}  // namespace
}  // namespace miaotui
