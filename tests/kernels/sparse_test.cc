// Sparse F16 GEMV (kernels/sparse.h): packing round-trips exactly, and every ISA agrees with the
// dense product of the same weights (accumulated in double) on random sparse matrices of odd
// shapes: unstructured at several densities (including empty and full rows) and 2:4.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "kernel_test_util.h"
#include "kernels/sparse.h"

namespace miaotui::kernels {
namespace {

using testing::DotTolerance;
using testing::RandomFloats;

// n x k F16 bits: unstructured zeros with probability 1 - density, or 2:4 (in each group of
// four, two random columns kept, sometimes fewer).
std::vector<uint16_t> RandomSparse(std::mt19937& rng, int64_t n, int64_t k, SparseLayout layout,
                                   double density) {
  std::vector<float> v = RandomFloats(rng, static_cast<size_t>(n * k));
  std::bernoulli_distribution keep(density);
  std::vector<uint16_t> w(v.size());
  for (int64_t o = 0; o < n; ++o) {
    for (int64_t g = 0; g < k; g += 4) {
      int kept = 0;
      std::vector<int> cols{0, 1, 2, 3};
      std::shuffle(cols.begin(), cols.end(), rng);
      for (int c : cols) {
        const int64_t i = o * k + g + c;
        if (g + c >= k) continue;
        bool on = keep(rng);
        if (layout == SparseLayout::k2of4) on = on && kept < 2;
        kept += on;
        w[static_cast<size_t>(i)] = on ? FloatToHalf(v[static_cast<size_t>(i)]) : 0;
      }
    }
  }
  return w;
}

void ExpectMatchesDense(const std::vector<uint16_t>& w, int64_t n, int64_t k, SparseLayout layout,
                        std::mt19937& rng) {
  auto packed = PackSparseF16(w.data(), n, k, layout);
  ASSERT_TRUE(packed.ok()) << packed.status().message();
  EXPECT_EQ(UnpackSparseF16(*packed), w);
  const std::vector<float> x = RandomFloats(rng, static_cast<size_t>(k));
  for (Isa isa : AvailableIsas()) {
    std::vector<float> y(static_cast<size_t>(n), -7.f);
    // Two ranges, as two threads would split the rows.
    SparseGemvIsa(isa, *packed, x.data(), 0, n / 2, y.data());
    SparseGemvIsa(isa, *packed, x.data(), n / 2, n, y.data());
    for (int64_t o = 0; o < n; ++o) {
      double want = 0, abs_sum = 0;
      for (int64_t i = 0; i < k; ++i) {
        const double t = static_cast<double>(x[static_cast<size_t>(i)]) *
                         HalfToFloat(w[static_cast<size_t>(o * k + i)]);
        want += t;
        abs_sum += std::fabs(t);
      }
      ASSERT_NEAR(y[static_cast<size_t>(o)], want, DotTolerance(abs_sum))
          << IsaName(isa) << " row " << o << " of " << n << "x" << k;
    }
  }
}

TEST(SparseGemvTest, UnstructuredOddShapesAndDensities) {
  std::mt19937 rng(5);
  for (auto [n, k] : {std::pair<int64_t, int64_t>{1, 1}, {3, 15}, {5, 16}, {7, 33}, {9, 100},
                      {17, 257}, {4, 2048}}) {
    for (double density : {0.0, 0.1, 0.5, 0.9, 1.0}) {
      SCOPED_TRACE(density);
      ExpectMatchesDense(RandomSparse(rng, n, k, SparseLayout::kUnstructured, density), n, k,
                         SparseLayout::kUnstructured, rng);
    }
  }
}

TEST(SparseGemvTest, TwoOfFourOddShapes) {
  std::mt19937 rng(6);
  for (auto [n, k] : {std::pair<int64_t, int64_t>{1, 3}, {3, 32}, {5, 36}, {7, 64}, {9, 97},
                      {13, 130}, {4, 2048}}) {
    for (double density : {0.3, 1.0}) {
      ExpectMatchesDense(RandomSparse(rng, n, k, SparseLayout::k2of4, density), n, k,
                         SparseLayout::k2of4, rng);
    }
  }
}

TEST(SparseGemvTest, BytesAtHalfDensity) {
  std::mt19937 rng(7);
  const int64_t n = 64, k = 2048;
  for (SparseLayout layout : {SparseLayout::kUnstructured, SparseLayout::k2of4}) {
    // Exactly two of every four columns, so both layouts hold 50 %.
    std::vector<uint16_t> w = RandomSparse(rng, n, k, SparseLayout::k2of4, 1.0);
    auto p = PackSparseF16(w.data(), n, k, layout);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->nnz, n * k / 2);
    const double dense = static_cast<double>(n * k * 2);
    EXPECT_NEAR(static_cast<double>(p->Bytes()) / dense, 0.5625, 0.01);
  }
}

TEST(SparseGemvTest, RefusesMoreThanTwoOfFourAndEmptyShapes) {
  std::vector<uint16_t> w(8, FloatToHalf(1.0f));
  w[1] = w[2] = 0;                 // columns 0..3: two nonzeros, fine
  auto p = PackSparseF16(w.data(), 1, 8, SparseLayout::k2of4);  // columns 4..7: four
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("row 0 has more than 2 nonzeros in columns 4..7"),
            std::string::npos)
      << p.status().message();
  EXPECT_FALSE(PackSparseF16(w.data(), 0, 8, SparseLayout::kUnstructured).ok());
  // -0 counts as zero.
  std::vector<uint16_t> neg(4, 0x8000);
  neg[0] = FloatToHalf(2.0f);
  auto q = PackSparseF16(neg.data(), 1, 4, SparseLayout::kUnstructured);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->nnz, 1);
}

}  // namespace
}  // namespace miaotui::kernels
