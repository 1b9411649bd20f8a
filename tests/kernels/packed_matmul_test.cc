// Packed weight layouts (kernels/packed.h): packing is a permutation (unpacking gives back the
// source bytes), the scalar product on packed weights is bit-identical to the source type's, and
// every ISA's product on packed weights agrees with the scalar reference on the source layout
// within the tolerance of quant_matmul_test.cc (integer block sums exact, float scaling in a
// different order): m in {1, 2, 3, 5, 17} (tiles of 4 rows and their tails), k of 1, 3 and 7
// blocks (K-quants: 1 and 3 super-blocks), 16 to 80 outputs (pairs of groups and a single
// one), sub-ranges of whole groups, padded row strides. Weights are both quantizer output and raw
// random bytes (every nibble, and Q8_0's -128, which the quantizer never writes; every 6-bit scale
// and min of Q4_K/Q5_K and every int8 scale of Q6_K, with the F16 d and dmin finite and modest).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/half.h"
#include "kernels/matmul.h"
#include "kernels/packed.h"
#include "quant/convert.h"
#include "quant/traits.h"

namespace miaotui::kernels {
namespace {

constexpr float kSentinel = -12345.5f;

// n rows of k values of `src`: quantized normals, or (raw) random quant bytes with scales in
// [1e-3, 1e-1).
std::vector<uint8_t> RandomRows(DType src, int64_t n, int64_t k, bool raw, std::mt19937& rng) {
  const size_t rb = RowBytes(src, k);
  std::vector<uint8_t> w(rb * n);
  if (raw) {
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> scale(1e-3f, 1e-1f);
    const size_t block = GetDTypeInfo(src).block_bytes;
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>(byte(rng));
    // Where the F16 scales are (d, and Q4_K's dmin): finite and modest.
    std::vector<size_t> scales = {0};
    if (src == DType::kQ4_K || src == DType::kQ5_K) scales = {0, 2};
    if (src == DType::kQ6_K) scales = {208};
    for (size_t b = 0; b < w.size(); b += block) {
      for (size_t at : scales) {
        const uint16_t h = FloatToHalf(scale(rng));
        std::memcpy(&w[b + at], &h, 2);
      }
    }
    return w;
  }
  std::normal_distribution<float> normal(0.f, 0.05f);
  std::vector<float> wf(static_cast<size_t>(k));
  for (int64_t o = 0; o < n; ++o) {
    for (float& v : wf) v = normal(rng);
    EXPECT_TRUE(quant::QuantizeRowInto(src, wf.data(), w.data() + o * rb, k).ok());
  }
  return w;
}

class PackedMatMulTest : public ::testing::TestWithParam<DType> {};

TEST_P(PackedMatMulTest, UnpackInvertsPack) {
  const DType packed = GetParam(), src = PackedSourceType(packed);
  std::mt19937 rng(7);
  const int64_t bs = GetDTypeInfo(src).block_size;
  for (int64_t k : {bs, 3 * bs}) {
    const std::vector<uint8_t> w = RandomRows(src, 48, k, /*raw=*/true, rng);
    std::vector<uint8_t> p(w.size()), back(w.size());
    PackRows(packed, w.data(), 48, k, p.data());
    UnpackRows(packed, p.data(), 48, k, back.data());
    EXPECT_EQ(back, w) << "k=" << k;
    EXPECT_NE(p, w) << "packing changed nothing";
  }
}

TEST_P(PackedMatMulTest, EveryIsaMatchesSourceReference) {
  const DType packed = GetParam(), src = PackedSourceType(packed);
  std::mt19937 rng(1000 + static_cast<int>(packed));
  std::normal_distribution<float> normal(0.f, 1.f);
  const int64_t bs = GetDTypeInfo(src).block_size;
  for (bool raw : {false, true}) {
    for (int64_t blocks : {1, 3, 7}) {
      if (bs == 256 && blocks == 7) continue;  // 1 and 3 super-blocks cover the K-quant loops
      const int64_t k = bs * blocks;
      for (int64_t m : {1, 2, 3, 5, 17}) {
        const int64_t n = m == 17 ? 80 : 48, ldx = k + 5, ldy = n + 3;
        const std::vector<uint8_t> w = RandomRows(src, n, k, raw, rng);
        std::vector<uint8_t> p(w.size());
        PackRows(packed, w.data(), n, k, p.data());
        std::vector<float> x(static_cast<size_t>(m * ldx));
        for (float& v : x) v = normal(rng);
        std::vector<float> wd(static_cast<size_t>(n * k));
        ASSERT_TRUE(quant::DequantizeRow(src, w.data(), wd.data(), n * k).ok());
        for (auto [ob, oe] : {std::pair<int64_t, int64_t>{0, n}, {16, n - 16}, {32, 48}}) {
          std::vector<float> ref(static_cast<size_t>(m * ldy), kSentinel);
          MatMulIsa(Isa::kScalar, x.data(), m, k, ldx, w.data(), src, ob, oe, ref.data(), ldy);
          for (Isa isa : AvailableIsas()) {
            SCOPED_TRACE(std::string(IsaName(isa)) + (raw ? " raw" : " quantized") +
                         " m=" + std::to_string(m) + " k=" + std::to_string(k) + " cols " +
                         std::to_string(ob) + ".." + std::to_string(oe));
            std::vector<float> got(ref.size(), kSentinel);
            MatMulIsa(isa, x.data(), m, k, ldx, p.data(), packed, ob, oe, got.data(), ldy);
            for (int64_t r = 0; r < m; ++r) {
              double asum = 0;
              for (int64_t i = 0; i < k; ++i) asum += std::fabs(x[r * ldx + i]);
              for (int64_t o = 0; o < ldy; ++o) {
                const float g = got[r * ldy + o], want = ref[r * ldy + o];
                if (o < ob || o >= oe || isa == Isa::kScalar) {
                  ASSERT_EQ(std::memcmp(&g, &want, 4), 0) << "r=" << r << " o=" << o;
                  continue;
                }
                double wmax = 0;
                for (int64_t i = 0; i < k; ++i) wmax = std::fmax(wmax, std::fabs(wd[o * k + i]));
                // |a| quantized is at most |x| (1 + 1/254) per value.
                const double tol = 4e-6 * 3 * wmax * asum * 1.01 + 1e-30;
                ASSERT_NEAR(g, want, tol) << "r=" << r << " o=" << o;
              }
            }
          }
        }
      }
    }
  }
}

TEST(PackedTypes, OnlyAvx512PacksAndOnlyTypesWithAKernel) {
  EXPECT_EQ(PackedTypeFor(DType::kQ4_0, Isa::kAvx512), DType::kQ4_0x16);
  EXPECT_EQ(PackedTypeFor(DType::kQ8_0, Isa::kAvx512), DType::kQ8_0x16);
  EXPECT_EQ(PackedTypeFor(DType::kQ4_K, Isa::kAvx512), DType::kQ4_Kx16);
  EXPECT_EQ(PackedTypeFor(DType::kQ6_K, Isa::kAvx512), DType::kQ6_Kx16);
  EXPECT_FALSE(PackedTypeFor(DType::kQ4_0, Isa::kAvx2).has_value());
  EXPECT_FALSE(PackedTypeFor(DType::kQ4_K, Isa::kAvx2).has_value());
  EXPECT_FALSE(PackedTypeFor(DType::kF16, Isa::kAvx512).has_value());
  EXPECT_EQ(PackedTypeFor(DType::kQ5_K, Isa::kAvx512), DType::kQ5_Kx16);
  EXPECT_FALSE(PackedTypeFor(DType::kQ3_K, Isa::kAvx512).has_value());
  // Never a GGUF type: a file naming the id or the name is refused.
  EXPECT_FALSE(LookupDType(static_cast<uint32_t>(DType::kQ4_0x16)).has_value());
  EXPECT_FALSE(DTypeFromName("Q8_0x16").has_value());
  EXPECT_EQ(RowBytes(DType::kQ4_0x16, 64), RowBytes(DType::kQ4_0, 64));
  // graph::WeightPacker allocates the source's bytes for the packed copy.
  EXPECT_EQ(RowBytes(DType::kQ4_Kx16, 512), RowBytes(DType::kQ4_K, 512));
  EXPECT_EQ(RowBytes(DType::kQ5_Kx16, 512), RowBytes(DType::kQ5_K, 512));
  EXPECT_EQ(RowBytes(DType::kQ6_Kx16, 512), RowBytes(DType::kQ6_K, 512));
  EXPECT_FALSE(DTypeFromName("Q4_Kx16").has_value());
}

INSTANTIATE_TEST_SUITE_P(Layouts, PackedMatMulTest,
                         ::testing::Values(DType::kQ4_0x16, DType::kQ8_0x16, DType::kQ4_Kx16,
                                           DType::kQ5_Kx16, DType::kQ6_Kx16),
                         [](const auto& info) { return std::string(DTypeName(info.param)); });

}  // namespace
}  // namespace miaotui::kernels
