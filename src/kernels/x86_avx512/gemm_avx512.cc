// AVX-512 blocked GEMM for m >= a few rows (prefill), float32 accumulation.
//
// Contract: as MatMul (kernels/matmul.h); the calling thread computes columns [o_begin, o_end)
// for all m rows and packs only the weights of those columns.
//
// Blocking (Zen 4: 32 KiB L1d, 1 MiB L2 per core):
//  - columns in chunks of kNc; for each chunk and each k-block of kKc, the weights are converted
//    to float32 once and packed k-major into panels of 32 columns (panel[kk * 32 + j] =
//    w[o + j][kb + kk], zero past the chunk's last column) with 16 x 16 in-register transposes;
//    the packed chunk (kNc x kKc floats) is then reused by every row of x;
//  - rows in blocks of kMc: their kKc-slice of x is copied to a buffer whose row stride is not a
//    multiple of 4 KiB (x rows of k = 3072 floats would all fall in one L1 set) and stays in L2
//    while every panel of the chunk passes;
//  - a kMr x 32 register tile (2 * kMr zmm accumulators): each k step loads two panel vectors
//    (from L1: one panel is kKc x 32 floats) and broadcasts one activation per row.
// Partial sums over k-blocks accumulate in y (the first k-block stores, later ones add), so the
// summation order per output is: k-blocks in order, within a block one float32 FMA chain.
#include "kernels/kernel_table.h"
#include "kernels/x86_avx512/simd_avx512.h"

namespace miaotui::kernels::internal::avx512 {
namespace {

constexpr int64_t kNr = 32;        // columns per panel (two zmm)
constexpr int kMr = 12;            // rows per register tile: 24 accumulators
constexpr int64_t kKc = 256;       // k per block: one panel is 32 KiB
constexpr int64_t kMc = 192;       // rows per block: 192 KiB of x per k-block
constexpr int64_t kXs = kKc + 16;  // row stride of the copied x block (floats)
constexpr int64_t kNc = 512;       // columns per packed chunk: 512 KiB

inline int64_t Min(int64_t a, int64_t b) { return a < b ? a : b; }

// Transposes the 16 x 16 block r (rows) in place: afterwards r[c] holds column c.
inline void Transpose16(__m512 r[16]) {
  __m512 t[16], u[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // u[4q + c]: column c (and c + 4, c + 8, c + 12 in lanes 1..3) of rows 4q..4q+3.
  for (int q = 0; q < 4; ++q) {
    u[4 * q + 0] = _mm512_shuffle_ps(t[4 * q], t[4 * q + 2], 0x44);
    u[4 * q + 1] = _mm512_shuffle_ps(t[4 * q], t[4 * q + 2], 0xEE);
    u[4 * q + 2] = _mm512_shuffle_ps(t[4 * q + 1], t[4 * q + 3], 0x44);
    u[4 * q + 3] = _mm512_shuffle_ps(t[4 * q + 1], t[4 * q + 3], 0xEE);
  }
  for (int c = 0; c < 4; ++c) {
    const __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88);
    const __m512 v1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);
    const __m512 w0 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
    const __m512 w1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
    r[c] = _mm512_shuffle_f32x4(v0, w0, 0x88);
    r[c + 8] = _mm512_shuffle_f32x4(v0, w0, 0xDD);
    r[c + 4] = _mm512_shuffle_f32x4(v1, w1, 0x88);
    r[c + 12] = _mm512_shuffle_f32x4(v1, w1, 0xDD);
  }
}

// Packs rows [o, o + nb) x columns [kb, kb + kc) of w into panel (kc x 32 floats), rows
// nb..31 zero.
template <DType T>
void PackPanel(const uint8_t* w, size_t row_bytes, int64_t o, int64_t nb, int64_t kb, int64_t kc,
               float* panel) {
  for (int64_t half = 0; half < 2; ++half) {
    const int64_t j0 = half * 16;
    for (int64_t kk = 0; kk < kc; kk += 16) {
      const int64_t nk = Min(16, kc - kk);
      const __mmask16 km = FirstLanes(nk);
      __m512 r[16];
      for (int64_t j = 0; j < 16; ++j) {
        if (j0 + j < nb) {
          const void* src = w + static_cast<size_t>(o + j0 + j) * row_bytes;
          r[j] = nk == 16 ? Load16<T>(src, kb + kk) : Load16Masked<T>(src, kb + kk, km);
        } else {
          r[j] = _mm512_setzero_ps();
        }
      }
      Transpose16(r);
      for (int64_t c = 0; c < nk; ++c) _mm512_store_ps(panel + (kk + c) * kNr + j0, r[c]);
    }
  }
}

// y[r, 0..32) (+)= sum_kk x[r, kk] * panel[kk, 0..32) for r < MR; lanes outside m0/m1 untouched.
template <int MR>
void MicroKernel(const float* x, int64_t ldx, const float* panel, int64_t kc, float* y, int64_t ldy,
                 __mmask16 m0, __mmask16 m1, bool accumulate) {
  __m512 c0[MR], c1[MR];
  for (int r = 0; r < MR; ++r) c0[r] = c1[r] = _mm512_setzero_ps();
  // The y tile is read (or written) only after kc steps: fetch its lines now, for writing
  // (y of a large batch lives in L3; without this the tile's loads stall the end of each call).
  for (int r = 0; r < MR; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(y + r * ldy), _MM_HINT_ET0);
    _mm_prefetch(reinterpret_cast<const char*>(y + r * ldy + 16), _MM_HINT_ET0);
  }
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

using MicroKernelFn = void (*)(const float*, int64_t, const float*, int64_t, float*, int64_t,
                               __mmask16, __mmask16, bool);

// kernel for `rows` (1..kMr) rows.
MicroKernelFn KernelFor(int64_t rows) {
  static constexpr MicroKernelFn table[] = {MicroKernel<1>,  MicroKernel<2>,  MicroKernel<3>,
                                            MicroKernel<4>,  MicroKernel<5>,  MicroKernel<6>,
                                            MicroKernel<7>,  MicroKernel<8>,  MicroKernel<9>,
                                            MicroKernel<10>, MicroKernel<11>, MicroKernel<12>};
  static_assert(sizeof(table) / sizeof(table[0]) == kMr);
  return table[rows - 1];
}

template <DType T>
void Gemm(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, int64_t o_begin,
          int64_t o_end, float* y, int64_t ldy) {
  if (k == 0) {
    for (int64_t r = 0; r < m; ++r) {
      for (int64_t o = o_begin; o < o_end; ++o) y[r * ldy + o] = 0.f;
    }
    return;
  }
  float* packed = ThreadScratch(0, kNc * kKc);
  float* xs = ThreadScratch(1, kMc * kXs);
  const size_t row_bytes = static_cast<size_t>(k) * (T == DType::kF32 ? 4 : 2);
  const uint8_t* wb = static_cast<const uint8_t*>(w);
  for (int64_t oc = o_begin; oc < o_end; oc += kNc) {
    const int64_t nc = Min(kNc, o_end - oc);
    for (int64_t kb = 0; kb < k; kb += kKc) {
      const int64_t kc = Min(kKc, k - kb);
      for (int64_t p = 0; p < nc; p += kNr) {
        PackPanel<T>(wb, row_bytes, oc + p, Min(kNr, nc - p), kb, kc, packed + p * kc);
      }
      for (int64_t ic = 0; ic < m; ic += kMc) {
        const int64_t mc = Min(kMc, m - ic);
        // This block's x slice, copied with a stride that is not a multiple of 4 KiB: rows of a
        // 3072-wide x (12 KiB apart) would all map to one L1 set, more than its 8 ways.
        for (int64_t r = 0; r < mc; ++r) {
          const float* src = x + (ic + r) * ldx + kb;
          float* dst = xs + r * kXs;
          int64_t i = 0;
          for (; i + 16 <= kc; i += 16) _mm512_store_ps(dst + i, _mm512_loadu_ps(src + i));
          if (i < kc) _mm512_store_ps(dst + i, _mm512_maskz_loadu_ps(FirstLanes(kc - i), src + i));
        }
        for (int64_t p = 0; p < nc; p += kNr) {
          const int64_t nb = Min(kNr, nc - p);
          const __mmask16 m0 = FirstLanes(nb);
          const __mmask16 m1 = FirstLanes(nb > 16 ? nb - 16 : 0);
          const float* panel = packed + p * kc;
          for (int64_t r = ic; r < ic + mc; r += kMr) {
            const int64_t rows = Min(kMr, ic + mc - r);
            KernelFor(rows)(xs + (r - ic) * kXs, kXs, panel, kc, y + r * ldy + oc + p, ldy, m0, m1,
                            kb > 0);
          }
        }
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
