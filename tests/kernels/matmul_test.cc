// MatMul: every available ISA against the scalar reference, and the reference against a
// double-precision product, over odd shapes, column ranges and strides; columns outside
// [o_begin, o_end) and padding must keep their sentinel values.
#include "kernels/matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernel_test_util.h"

namespace miaotui::kernels {
namespace {

using testing::DotTolerance;
using testing::Encode;
using testing::Encoded;
using testing::RandomFloats;

constexpr float kSentinel = -12345.5f;

struct Problem {
  int64_t m, k, n, o_begin, o_end, ldx, ldy;
  std::vector<float> x;
  Encoded w;
  std::vector<double> exact;    // m * n, double-precision product of the stored values
  std::vector<double> abs_sum;  // m * n, sum_k |x w|
};

Problem MakeProblem(std::mt19937& rng, DType wtype, int64_t m, int64_t k, int64_t n,
                    int64_t o_begin, int64_t o_end) {
  Problem p{m, k, n, o_begin, o_end, k + (m > 1 ? 3 : 0), n + 5, {}, {}, {}, {}};
  p.x = RandomFloats(rng, static_cast<size_t>(m * p.ldx));
  p.w = Encode(wtype, RandomFloats(rng, static_cast<size_t>(n * k)));
  p.exact.assign(static_cast<size_t>(m * n), 0.0);
  p.abs_sum.assign(static_cast<size_t>(m * n), 0.0);
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t o = 0; o < n; ++o) {
      double s = 0, a = 0;
      for (int64_t i = 0; i < k; ++i) {
        double t = static_cast<double>(p.x[r * p.ldx + i]) * p.w.values[o * k + i];
        s += t;
        a += std::fabs(t);
      }
      p.exact[r * n + o] = s;
      p.abs_sum[r * n + o] = a;
    }
  }
  return p;
}

std::vector<float> RunMatMul(Isa isa, const Problem& p, DType wtype) {
  std::vector<float> y(static_cast<size_t>(p.m * p.ldy), kSentinel);
  MatMulIsa(isa, p.x.data(), p.m, p.k, p.ldx, p.w.bytes.data(), wtype, p.o_begin, p.o_end, y.data(),
            p.ldy);
  return y;
}

// Checks y against the exact product inside the range and the sentinel outside it.
void CheckOutput(const Problem& p, const std::vector<float>& y, const std::vector<float>* ref,
                 const std::string& what) {
  for (int64_t r = 0; r < p.m; ++r) {
    for (int64_t o = 0; o < p.ldy; ++o) {
      float got = y[r * p.ldy + o];
      if (o < p.o_begin || o >= p.o_end) {
        ASSERT_EQ(std::memcmp(&got, &kSentinel, 4), 0)
            << what << ": wrote outside the range at r=" << r << " o=" << o;
        continue;
      }
      double tol = DotTolerance(p.abs_sum[r * p.n + o]);
      ASSERT_NEAR(got, p.exact[r * p.n + o], tol) << what << " vs double at r=" << r << " o=" << o;
      if (ref != nullptr) {
        ASSERT_NEAR(got, (*ref)[r * p.ldy + o], tol) << what << " vs ref at r=" << r << " o=" << o;
      }
    }
  }
}

class MatMulTest : public ::testing::TestWithParam<DType> {};

TEST_P(MatMulTest, EveryIsaMatchesReferenceOnOddShapes) {
  const DType wtype = GetParam();
  std::mt19937 rng(1234);
  for (int64_t m : {1, 2, 3, 5, 17}) {
    for (int64_t k : {1, 7, 16, 31, 64, 100, 257, 1000}) {
      for (int64_t n : {1, 3, 17, 64, 100}) {
        const int64_t ranges[][2] = {{0, n}, {n / 3, n}, {1, n - 1}, {n / 2, n / 2 + 1}};
        for (const auto& range : ranges) {
          if (range[0] > range[1] || range[1] > n || range[0] < 0) continue;
          Problem p = MakeProblem(rng, wtype, m, k, n, range[0], range[1]);
          const std::string shape = std::string(DTypeName(wtype)) + " m=" + std::to_string(m) +
                                    " k=" + std::to_string(k) + " n=" + std::to_string(n) + " [" +
                                    std::to_string(range[0]) + "," + std::to_string(range[1]) + ")";
          std::vector<float> ref = RunMatMul(Isa::kScalar, p, wtype);
          ASSERT_NO_FATAL_FAILURE(CheckOutput(p, ref, nullptr, "scalar " + shape));
          for (Isa isa : AvailableIsas()) {
            if (isa == Isa::kScalar) continue;
            std::vector<float> y = RunMatMul(isa, p, wtype);
            ASSERT_NO_FATAL_FAILURE(
                CheckOutput(p, y, &ref, std::string(IsaName(isa)) + " " + shape));
          }
        }
      }
    }
  }
}

// Shapes large enough for several blocked panels, with the tails of every blocking level.
TEST_P(MatMulTest, LargerShapesMatchReference) {
  const DType wtype = GetParam();
  std::mt19937 rng(99);
  const int64_t shapes[][5] = {{64, 2048, 70, 0, 70}, {33, 515, 131, 5, 129}, {130, 96, 97, 0, 97},
                               {8, 4099, 40, 3, 37},  {1, 5632, 67, 0, 67},   {4, 333, 66, 1, 65},
                               // AVX-512 GEMM blocks (rows 192, k 256, columns 512, tile 12 x 32):
                               // a row block plus 8, two k-blocks plus 88, a column chunk plus a
                               // partial panel, starting off a panel boundary.
                               {200, 600, 530, 3, 529}};
  for (const auto& s : shapes) {
    Problem p = MakeProblem(rng, wtype, s[0], s[1], s[2], s[3], s[4]);
    const std::string shape = std::string(DTypeName(wtype)) + " m=" + std::to_string(s[0]) +
                              " k=" + std::to_string(s[1]) + " n=" + std::to_string(s[2]);
    std::vector<float> ref = RunMatMul(Isa::kScalar, p, wtype);
    ASSERT_NO_FATAL_FAILURE(CheckOutput(p, ref, nullptr, "scalar " + shape));
    for (Isa isa : AvailableIsas()) {
      if (isa == Isa::kScalar) continue;
      ASSERT_NO_FATAL_FAILURE(
          CheckOutput(p, RunMatMul(isa, p, wtype), &ref, IsaName(isa) + (" " + shape)));
    }
  }
}

TEST_P(MatMulTest, ZeroKWritesZeros) {
  for (Isa isa : AvailableIsas()) {
    std::vector<float> y(6, kSentinel);
    float x = 0.f;
    MatMulIsa(isa, &x, 2, 0, 0, nullptr, GetParam(), 1, 3, y.data(), 3);
    EXPECT_EQ(y[0], kSentinel);
    EXPECT_EQ(y[1], 0.f);
    EXPECT_EQ(y[2], 0.f);
    EXPECT_EQ(y[4], 0.f);
    EXPECT_EQ(y[5], 0.f);
  }
}

TEST_P(MatMulTest, ActiveIsaOverrideIsUsed) {
  std::mt19937 rng(7);
  Problem p = MakeProblem(rng, GetParam(), 3, 45, 9, 0, 9);
  for (Isa isa : AvailableIsas()) {
    SetIsaOverride(isa);
    EXPECT_EQ(ActiveIsa(), isa);
    std::vector<float> y(static_cast<size_t>(p.m * p.ldy), kSentinel);
    MatMul(p.x.data(), p.m, p.k, p.ldx, p.w.bytes.data(), GetParam(), 0, 9, y.data(), p.ldy);
    std::vector<float> want = RunMatMul(isa, p, GetParam());
    EXPECT_EQ(std::memcmp(y.data(), want.data(), y.size() * 4), 0) << IsaName(isa);
  }
  SetIsaOverride(std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(WeightTypes, MatMulTest,
                         ::testing::Values(DType::kF32, DType::kF16, DType::kBF16),
                         [](const ::testing::TestParamInfo<DType>& info) {
                           return std::string(DTypeName(info.param));
                         });

TEST(IsaTest, ScalarIsAlwaysAvailableAndFirst) {
  std::vector<Isa> isas = AvailableIsas();
  ASSERT_FALSE(isas.empty());
  std::string names;
  for (Isa isa : isas) names += std::string(" ") + IsaName(isa);
  std::printf("available ISAs:%s (active %s)\n", names.c_str(), IsaName(ActiveIsa()));
  EXPECT_EQ(isas.front(), Isa::kScalar);
  EXPECT_STREQ(IsaName(Isa::kAvx512), "avx512");
  EXPECT_TRUE(MatMulSupports(DType::kQ4_0));
  EXPECT_FALSE(MatMulSupports(DType::kQ8_K));  // an activation-only format
  EXPECT_TRUE(MatMulSupports(DType::kBF16));
}

}  // namespace
}  // namespace miaotui::kernels
