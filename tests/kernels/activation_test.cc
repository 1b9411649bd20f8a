// Vectorized activations against the scalar (C library) reference, for every ISA this CPU has:
// random values over a wide range, every tail length, and the extremes (0, +-large).
#include "kernels/activation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace miaotui::kernels {
namespace {

std::vector<float> Inputs(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-12.0f, 12.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  const float special[] = {0.0f, -0.0f, 1e-8f, -1e-8f, 90.0f, -90.0f, 200.0f, -200.0f, 3.0f};
  for (size_t i = 0; i < std::size(special) && i < v.size(); ++i) v[i] = special[i];
  return v;
}

// |got - want| <= 2e-6 * max(1, |want|) + 4e-7 (erf's approximation error is 1.5e-7 absolute).
void ExpectClose(const std::vector<float>& got, const std::vector<float>& want, const char* what,
                 Isa isa) {
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = 2e-6 * std::max(1.0, std::fabs(static_cast<double>(want[i]))) + 4e-7;
    ASSERT_NEAR(got[i], want[i], tol) << what << " " << IsaName(isa) << " at " << i;
  }
}

TEST(ActivationTest, EveryIsaMatchesReference) {
  for (Isa isa : AvailableIsas()) {
    for (int64_t n : {1, 7, 16, 17, 33, 1000}) {
      std::vector<float> a = Inputs(n, 1 + static_cast<uint32_t>(n)), b = Inputs(n, 99);
      std::vector<float> got(n), want(n);
      SiluMulIsa(isa, a.data(), b.data(), got.data(), n);
      SiluMulIsa(Isa::kScalar, a.data(), b.data(), want.data(), n);
      ExpectClose(got, want, "silu_mul", isa);
      for (bool tanh_form : {false, true}) {
        GeluIsa(isa, a.data(), got.data(), n, tanh_form);
        GeluIsa(Isa::kScalar, a.data(), want.data(), n, tanh_form);
        ExpectClose(got, want, tanh_form ? "gelu_tanh" : "gelu_erf", isa);
      }
      TanhIsa(isa, a.data(), got.data(), n);
      TanhIsa(Isa::kScalar, a.data(), want.data(), n);
      ExpectClose(got, want, "tanh", isa);
      // In place.
      std::vector<float> inplace = a;
      TanhIsa(isa, inplace.data(), inplace.data(), n);
      ExpectClose(inplace, want, "tanh in place", isa);
    }
  }
}

// Softmax rows (attention): wide logits, every tail length, a -inf (masked) entry, and a NaN row.
TEST(ActivationTest, SoftmaxEveryIsaMatchesReferenceAndSumsToOne) {
  for (Isa isa : AvailableIsas()) {
    for (int64_t n : {1, 7, 16, 17, 33, 128, 1000}) {
      for (float scale : {0.125f, 1.0f}) {
        std::vector<float> want = Inputs(n, 7 + static_cast<uint32_t>(n));
        for (float& v : want) v *= 4;  // logits up to +-48 (after scale up to +-800 clamp)
        if (n > 3) want[2] = -INFINITY;
        std::vector<float> got = want;
        SoftmaxIsa(Isa::kScalar, want.data(), n, scale);
        SoftmaxIsa(isa, got.data(), n, scale);
        double sum = 0;
        for (int64_t i = 0; i < n; ++i) {
          ASSERT_NEAR(got[i], want[i], 4e-6 * want[i] + 1e-30)
              << IsaName(isa) << " n=" << n << " at " << i;
          sum += got[i];
        }
        EXPECT_NEAR(sum, 1.0, 1e-5) << IsaName(isa) << " n=" << n;
        if (n > 3) {
          EXPECT_EQ(got[2], 0.0f);
        }
      }
      std::vector<float> row(static_cast<size_t>(n), 1.0f);
      row[n / 2] = NAN;
      SoftmaxIsa(isa, row.data(), n, 1.0f);
      for (float v : row) ASSERT_TRUE(std::isnan(v)) << IsaName(isa) << " n=" << n;
    }
  }
}

TEST(ActivationTest, ReferenceIsTheDefinition) {
  const float x = 0.7f;
  float y;
  GeluIsa(Isa::kScalar, &x, &y, 1, false);
  EXPECT_NEAR(y, 0.5 * 0.7 * (1 + std::erf(0.7 / std::sqrt(2.0))), 1e-7);
  SiluMulIsa(Isa::kScalar, &x, &x, &y, 1);
  EXPECT_NEAR(y, 0.7 / (1 + std::exp(-0.7)) * 0.7, 1e-7);
}

}  // namespace
}  // namespace miaotui::kernels
