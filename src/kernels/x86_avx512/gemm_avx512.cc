// AVX-512 packed-panel GEMM for m >= a few rows (prefill). For each block of 32 weight rows and
// each k-block of kKc, the weights are converted to float32 once and packed k-major into a
// thread-local panel (panel[kk * 32 + j] = w[o + j][kb + kk], zero-padded past o_end); then a
// 6 x 32 register tile (12 zmm accumulators) is computed by broadcasting one activation per row
// against two panel vectors, so each k step is 12 FMAs for 2 loads + 6 broadcasts and no
// horizontal sums. Partial sums over k-blocks accumulate in y; only [o_begin, o_end) is written.
#include "kernels/kernel_table.h"
#include "kernels/x86_avx512/simd_avx512.h"

namespace miaotui::kernels::internal::avx512 {
namespace {

constexpr int64_t kNr = 32;   // weight rows per panel (two zmm)
constexpr int64_t kMr = 6;    // activation rows per register tile
constexpr int64_t kKc = 512;  // k per panel: 64 KiB of panel, 12 KiB of activations per tile

inline int64_t Min(int64_t a, int64_t b) { return a < b ? a : b; }

// Packs rows [o, o + nb) x columns [kb, kb + kc) of w into panel, zero-padding rows nb..31.
template <DType T>
void PackPanel(const uint8_t* w, size_t row_bytes, int64_t o, int64_t nb, int64_t kb, int64_t kc,
               float* row, float* panel) {
  for (int64_t j = 0; j < nb; ++j) {
    const void* src = w + static_cast<size_t>(o + j) * row_bytes;
    int64_t i = 0;
    for (; i + 16 <= kc; i += 16) _mm512_store_ps(row + i, Load16<T>(src, kb + i));
    if (i < kc) _mm512_store_ps(row + i, Load16Masked<T>(src, kb + i, FirstLanes(kc - i)));
    for (int64_t kk = 0; kk < kc; ++kk) panel[kk * kNr + j] = row[kk];
  }
  for (int64_t j = nb; j < kNr; ++j) {
    for (int64_t kk = 0; kk < kc; ++kk) panel[kk * kNr + j] = 0.f;
  }
}

// y[r, 0..32) (+)= sum_kk x[r, kk] * panel[kk, 0..32) for r < MR; lanes outside m0/m1 untouched.
template <int MR>
void MicroKernel(const float* x, int64_t ldx, const float* panel, int64_t kc, float* y, int64_t ldy,
                 __mmask16 m0, __mmask16 m1, bool accumulate) {
  __m512 c0[MR], c1[MR];
  for (int r = 0; r < MR; ++r) c0[r] = c1[r] = _mm512_setzero_ps();
  for (int64_t kk = 0; kk < kc; ++kk) {
    const __m512 b0 = _mm512_load_ps(panel + kk * kNr);
    const __m512 b1 = _mm512_load_ps(panel + kk * kNr + 16);
    for (int r = 0; r < MR; ++r) {
      const __m512 a = _mm512_set1_ps(x[r * ldx + kk]);
      c0[r] = _mm512_fmadd_ps(a, b0, c0[r]);
      c1[r] = _mm512_fmadd_ps(a, b1, c1[r]);
    }
  }
  for (int r = 0; r < MR; ++r) {
    float* yr = y + r * ldy;
    if (accumulate) {
      c0[r] = _mm512_add_ps(c0[r], _mm512_maskz_loadu_ps(m0, yr));
      c1[r] = _mm512_add_ps(c1[r], _mm512_maskz_loadu_ps(m1, yr + 16));
    }
    _mm512_mask_storeu_ps(yr, m0, c0[r]);
    _mm512_mask_storeu_ps(yr + 16, m1, c1[r]);
  }
}

void MicroKernelRows(int64_t rows, const float* x, int64_t ldx, const float* panel, int64_t kc,
                     float* y, int64_t ldy, __mmask16 m0, __mmask16 m1, bool accumulate) {
  switch (rows) {
    case 6:
      return MicroKernel<6>(x, ldx, panel, kc, y, ldy, m0, m1, accumulate);
    case 5:
      return MicroKernel<5>(x, ldx, panel, kc, y, ldy, m0, m1, accumulate);
    case 4:
      return MicroKernel<4>(x, ldx, panel, kc, y, ldy, m0, m1, accumulate);
    case 3:
      return MicroKernel<3>(x, ldx, panel, kc, y, ldy, m0, m1, accumulate);
    case 2:
      return MicroKernel<2>(x, ldx, panel, kc, y, ldy, m0, m1, accumulate);
    default:
      return MicroKernel<1>(x, ldx, panel, kc, y, ldy, m0, m1, accumulate);
  }
}

template <DType T>
void Gemm(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, int64_t o_begin,
          int64_t o_end, float* y, int64_t ldy) {
  float* panel = ThreadScratch(0, kNr * kKc);
  float* row = ThreadScratch(1, kKc);
  const size_t row_bytes = static_cast<size_t>(k) * (T == DType::kF32 ? 4 : 2);
  const uint8_t* wb = static_cast<const uint8_t*>(w);
  if (k == 0) {
    for (int64_t r = 0; r < m; ++r) {
      for (int64_t o = o_begin; o < o_end; ++o) y[r * ldy + o] = 0.f;
    }
    return;
  }
  for (int64_t o = o_begin; o < o_end; o += kNr) {
    const int64_t nb = Min(kNr, o_end - o);
    const __mmask16 m0 = FirstLanes(nb);
    const __mmask16 m1 = FirstLanes(nb > 16 ? nb - 16 : 0);
    for (int64_t kb = 0; kb < k; kb += kKc) {
      const int64_t kc = Min(kKc, k - kb);
      PackPanel<T>(wb, row_bytes, o, nb, kb, kc, row, panel);
      for (int64_t r = 0; r < m; r += kMr) {
        MicroKernelRows(Min(kMr, m - r), x + r * ldx + kb, ldx, panel, kc, y + r * ldy + o, ldy, m0,
                        m1, kb > 0);
      }
    }
  }
}

}  // namespace

void GemmPacked(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
  switch (wtype) {
    case DType::kF16:
      return Gemm<DType::kF16>(x, m, k, ldx, w, o_begin, o_end, y, ldy);
    case DType::kBF16:
      return Gemm<DType::kBF16>(x, m, k, ldx, w, o_begin, o_end, y, ldy);
    default:
      return Gemm<DType::kF32>(x, m, k, ldx, w, o_begin, o_end, y, ldy);
  }
}

}  // namespace miaotui::kernels::internal::avx512
