// Quantized MatMul: every quantized weight format x every ISA this CPU has x odd shapes
// (m in {1, 2, 3, 5, 17}, k = block x {1, 3, 7}, odd n, column sub-ranges, row strides) against
// the scalar reference, which is quant's vec_dot_ref on activations from quant's activation
// quantizer. Integer block sums are exact in every path; only the order (and fusing) of the
// float scale accumulation differs, so the tolerance is a few float ulps of the largest
// possible partial sum: tol = 4e-6 * 3 * max|w| * sum|a| (|d q| and |m| are each at most
// 2 max|w| and max|w|). Also: ToF32 dequantizes bit-exactly, and columns outside the range are
// never written. The AVX-512 activation quantizer is bit-identical to the scalar one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#if defined(__x86_64__) && !defined(MIAOTUI_KERNELS_X86)
#define MIAOTUI_KERNELS_X86  // the kernels library builds its x86 ISAs on every x86-64 target
#endif
#include "test_util.h"
#include "base/cpu_features.h"
#include "formats/gguf.h"
#include "kernels/matmul.h"
#include "kernels/quant_internal.h"
#include "kernels/vec.h"
#include "quant/convert.h"
#include "quant/traits.h"

namespace miaotui::kernels {
namespace {

constexpr float kSentinel = -12345.5f;

struct Case {
  DType type;
  Isa isa;
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  return std::string(DTypeName(info.param.type)) + "_" + IsaName(info.param.isa);
}

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (const quant::QuantTraits& t : quant::AllQuantTraits()) {
    if (t.vec_dot_ref == nullptr) continue;
    for (Isa isa : AvailableIsas()) cases.push_back({t.dtype, isa});
  }
  return cases;
}

class QuantMatMulTest : public ::testing::TestWithParam<Case> {};

TEST_P(QuantMatMulTest, MatchesReferenceOnOddShapes) {
  const Case c = GetParam();
  const quant::QuantTraits& t = *quant::GetQuantTraits(c.type);
  const quant::QuantTraits& at = *quant::GetQuantTraits(t.vec_dot_type);
  std::mt19937 rng(1234 + static_cast<int>(c.type));
  std::normal_distribution<float> normal(0.f, 1.f);
  for (int64_t mult : {1, 3, 7}) {
    const int64_t k = t.block_size * mult;
    for (int64_t m : {1, 2, 3, 5, 17}) {
      const int64_t n = m == 17 ? 37 : 13;
      const int64_t ldx = k + 5, ldy = n + 3;
      std::vector<float> wf(static_cast<size_t>(n * k)), x(static_cast<size_t>(m * ldx));
      // Magnitudes vary by 16-value group (up to 100x), so every sub-block scale of a K-quant
      // differs and a kernel that pairs a scale with the wrong sub-block cannot pass.
      std::uniform_real_distribution<float> log_scale(-2.3f, 2.3f);
      for (size_t i = 0; i < wf.size(); i += 16) {
        const float group = 0.05f * std::exp(log_scale(rng));
        for (size_t j = i; j < i + 16 && j < wf.size(); ++j) wf[j] = normal(rng) * group;
      }
      for (float& v : x) v = normal(rng);
      if (m > 2) std::fill(x.begin() + ldx, x.begin() + 2 * ldx, 0.f);  // an all-zero row
      const size_t row_bytes = RowBytes(c.type, k);
      std::vector<uint8_t> w(row_bytes * n);
      for (int64_t o = 0; o < n; ++o) {
        ASSERT_TRUE(quant::QuantizeRowInto(c.type, wf.data() + o * k, w.data() + o * row_bytes, k)
                        .ok());
      }
      // Dequantized weights (also checks ToF32 against quant's dequantizer).
      std::vector<float> wd(static_cast<size_t>(n * k)), wd2(wd.size());
      ASSERT_TRUE(quant::DequantizeRow(c.type, w.data(), wd.data(), n * k).ok());
      ToF32(c.type, w.data(), wd2.data(), n * k);
      ASSERT_EQ(std::memcmp(wd.data(), wd2.data(), wd.size() * 4), 0);
      for (auto [ob, oe] : {std::pair<int64_t, int64_t>{0, n}, {3, n - 2}, {5, 6}}) {
        SCOPED_TRACE(std::string(IsaName(c.isa)) + " m=" + std::to_string(m) +
                     " k=" + std::to_string(k) + " n=" + std::to_string(n) + " cols " +
                     std::to_string(ob) + ".." + std::to_string(oe));
        std::vector<float> ref(static_cast<size_t>(m * ldy), kSentinel), got = ref;
        MatMulIsa(Isa::kScalar, x.data(), m, k, ldx, w.data(), c.type, ob, oe, ref.data(), ldy);
        MatMulIsa(c.isa, x.data(), m, k, ldx, w.data(), c.type, ob, oe, got.data(), ldy);
        for (int64_t r = 0; r < m; ++r) {
          // The activation row as the kernels see it (quantized, then widened).
          std::vector<uint8_t> qa(RowBytes(at.dtype, k));
          std::vector<float> a(static_cast<size_t>(k));
          ASSERT_TRUE(quant::QuantizeActivations(at.dtype, x.data() + r * ldx, qa.data(), k).ok());
          at.dequantize_row(qa.data(), a.data(), k);
          double asum = 0;
          for (float v : a) asum += std::fabs(v);
          for (int64_t o = 0; o < ldy; ++o) {
            const float g = got[r * ldy + o];
            if (o < ob || o >= oe) {
              ASSERT_EQ(std::memcmp(&g, &kSentinel, 4), 0)
                  << "wrote outside at r=" << r << " o=" << o;
              continue;
            }
            double wmax = 0, exact = 0;
            for (int64_t i = 0; i < k; ++i) {
              wmax = std::fmax(wmax, std::fabs(wd[o * k + i]));
              exact += static_cast<double>(wd[o * k + i]) * a[i];
            }
            const double tol = 4e-6 * 3 * wmax * asum + 1e-30;
            const float want = ref[r * ldy + o];
            ASSERT_NEAR(g, want, tol) << "vs reference at r=" << r << " o=" << o;
            // The reference itself against the double product of the dequantized rows (Q8_1's
            // s is an F16 rounding of d * sum q: allow for it).
            const double s_tol = at.dtype == DType::kQ8_1 ? 1e-3 * wmax * asum : 0;
            ASSERT_NEAR(want, exact, tol + s_tol) << "reference vs double at r=" << r << " o=" << o;
          }
        }
      }
    }
  }
}

#if defined(__x86_64__)
// Rows of every kind: random normals at several scales, ties (values landing on n + 0.5 once
// scaled: amax 127 makes the scale 1), equal magnitudes of both signs (Q8_K takes the sign of
// the first), all-zero blocks, and a row with a NaN and one with an Inf.
TEST(QuantizeActsTest, Avx512BitIdenticalToScalar) {
  if (!GetCpuFeatures().HasAvx512Set()) GTEST_SKIP() << "no AVX-512";
  std::mt19937 rng(77);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (DType t : {DType::kQ8_0, DType::kQ8_1, DType::kQ8_K}) {
    for (int64_t k : {256, 768}) {
      const int64_t m = 9, ldx = k + 3;
      std::vector<float> x(static_cast<size_t>(m * ldx));
      for (int64_t r = 0; r < m; ++r) {
        float* xr = x.data() + r * ldx;
        const float scale = std::ldexp(1.f, static_cast<int>(r) * 3 - 12);
        for (int64_t i = 0; i < k; ++i) xr[i] = normal(rng) * scale;
      }
      float* ties = x.data() + 1 * ldx;
      for (int64_t i = 0; i < k; ++i) ties[i] = static_cast<float>(static_cast<int>(i % 254) - 127) + 0.5f;
      for (int64_t i = 0; i < k; i += 32) ties[i] = (i / 32) % 2 ? 127.f : -127.f;
      float* signs = x.data() + 2 * ldx;
      signs[5] = -9.f;
      signs[6] = 9.f;
      signs[300 % k] = 9.f;
      std::fill(x.begin() + 3 * ldx, x.begin() + 3 * ldx + 256, 0.f);  // a zero block
      x[4 * ldx + 17] = NAN;
      x[5 * ldx + k - 1] = -INFINITY;
      SCOPED_TRACE(std::string(DTypeName(t)) + " k=" + std::to_string(k));
      internal::QuantizedActs ref = internal::ActsLayout(t, m, k), got = ref;
      std::vector<uint8_t> rb(ref.stride * m, 0xAB), gb(ref.stride * m, 0xCD);
      ref.base = rb.data();
      got.base = gb.data();
      internal::QuantizeActsRef(ref, x.data(), ldx);
      internal::avx512::QuantizeActsFast(got, x.data(), ldx);
      for (int64_t r = 0; r < m; ++r) {
        const bool finite = r != 4 && r != 5;  // non-finite rows: only d (all NaN) matters
        if (finite) {
          ASSERT_EQ(std::memcmp(ref.qs(r), got.qs(r), k), 0) << "qs row " << r;
        }
        for (int64_t b = 0; b < ref.blocks; ++b) {
          const float dr = ref.d(r)[b], dg = got.d(r)[b];
          if (std::isnan(dr)) {
            ASSERT_TRUE(std::isnan(dg)) << "d row " << r << " block " << b;
          } else {
            ASSERT_EQ(std::memcmp(&dr, &dg, 4), 0) << "d row " << r << " block " << b;
          }
          if (!finite || t == DType::kQ8_K) continue;
          ASSERT_EQ(ref.sum(r)[b], got.sum(r)[b]) << "sum row " << r << " block " << b;
          ASSERT_EQ(std::memcmp(ref.s(r) + b, got.s(r) + b, 4), 0) << "s row " << r;
        }
        if (t == DType::kQ8_K && finite) {
          ASSERT_EQ(std::memcmp(ref.bsums(r), got.bsums(r), k / 16 * 2), 0) << "bsums row " << r;
        }
      }
    }
  }
}
#endif

INSTANTIATE_TEST_SUITE_P(AllFormats, QuantMatMulTest, ::testing::ValuesIn(AllCases()), CaseName);

// Real quantized weights and grid-valued activations (../shared/models/quant-test-*.gguf, made
// by llama.cpp's quantizer): scales, mins and high bits take values random rows rarely produce,
// and activations that are dequantized rows of the same file make the activation quantizer meet
// exact ties (which once exposed an FMA contraction in the AVX-512 Q8_K quantizer). Every ISA
// must agree with the scalar reference, for one activation row and for a batch.
TEST(QuantMatMulRealWeights, EveryIsaMatchesScalarOnLlamaCppTensors) {
  for (const char* name : {"models/quant-test-Q2_K.gguf", "models/quant-test-Q3_K_M.gguf",
                           "models/quant-test-Q4_K_M.gguf", "models/quant-test-Q5_K_M.gguf",
                           "models/quant-test-Q6_K.gguf", "models/quant-test-Q4_0.gguf",
                           "models/quant-test-Q8_0.gguf"}) {
    MT_REQUIRE_SHARED(name);
    auto file = formats::GgufFile::Open(::miaotui::testing::SharedPath(name));
    ASSERT_TRUE(file.ok()) << file.status().message();
    const formats::GgufTensorInfo* embd = (*file)->FindTensor("token_embd.weight");
    ASSERT_NE(embd, nullptr) << name;
    const TensorView table = (*file)->View(*embd);
    for (const formats::GgufTensorInfo& info : (*file)->tensors()) {
      if (!quant::GetQuantTraits(info.dtype) || info.shape.NumRows() < 2) continue;
      const TensorView w = (*file)->View(info);
      const int64_t k = w.cols(), n = std::min<int64_t>(w.rows(), 96);
      if (table.cols() != k) continue;  // activations come from token_embd rows of width k
      for (int64_t m : {1, 7}) {
        std::vector<float> x(static_cast<size_t>(m * k));
        for (int64_t r = 0; r < m; ++r) {
          ASSERT_TRUE(
              quant::DequantizeRow(table.dtype, table.row(3 + 5 * r), x.data() + r * k, k).ok());
        }
        std::vector<float> ref(static_cast<size_t>(m * n)), got(ref.size());
        MatMulIsa(Isa::kScalar, x.data(), m, k, k, w.data, w.dtype, 0, n, ref.data(), n);
        for (Isa isa : AvailableIsas()) {
          MatMulIsa(isa, x.data(), m, k, k, w.data, w.dtype, 0, n, got.data(), n);
          double worst = 0, scale = 0;
          for (size_t i = 0; i < ref.size(); ++i) {
            worst = std::max(worst, std::fabs(double{got[i]} - ref[i]));
            scale = std::max(scale, std::fabs(double{ref[i]}));
          }
          EXPECT_LE(worst, 1e-5 * (scale + 1))
              << name << " " << info.name << " " << IsaName(isa) << " m=" << m;
        }
      }
    }
  }
}

}  // namespace
}  // namespace miaotui::kernels
