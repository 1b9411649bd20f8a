// AVX-512 MatMul. Small m (decode GEMV included) uses a direct kernel that streams each weight
// row exactly once: 4 weight rows x up to 4 activation rows per tile, converted on the fly
// (F16 via vcvtph2ps, BF16 via shift), independent float32 accumulators, software prefetch of
// the next tile in address order, masked loads for the k tail, horizontal sums at the end. Larger m
// goes to the packed-panel GEMM (gemm_avx512.cc).
#include "kernels/x86_avx512/simd_avx512.h"

namespace miaotui::kernels::internal::avx512 {
namespace {

// m at or above this uses the packed GEMM.
constexpr int64_t kPackedMinRows = 8;
// Software prefetch of the next weight tile goes to L2: on Zen 4 this streams a decode GEMV at
// ~20 GB/s per core against ~14 GB/s with hardware prefetch alone (rows are one 4 KiB page each
// for k = 2048 F16, so the per-page hardware streams keep restarting).
constexpr auto kPrefetchHint = _MM_HINT_T1;

// y[r * ldy + j] = dot(x row r, w row j) for r < MR, j < NW; w rows are row_bytes apart.
template <DType T, int MR, int NW>
void DirectTile(const float* x, int64_t ldx, int64_t k, const uint8_t* w, size_t row_bytes,
                float* y, int64_t ldy) {
  constexpr int kSets = MR <= 2 ? 2 : 1;  // extra accumulators when few are in flight
  constexpr int64_t kElemBytes = T == DType::kF32 ? 4 : 2;
  __m512 acc[kSets][MR][NW];
  for (int s = 0; s < kSets; ++s)
    for (int r = 0; r < MR; ++r)
      for (int j = 0; j < NW; ++j) acc[s][r][j] = _mm512_setzero_ps();

  int64_t i = 0;
  for (; i + 32 <= k; i += 32) {
    // The next tile's rows follow this tile's in memory: fetch them in address order, as many
    // lines per step as this step consumes, so the tile after this one is in L2 when it starts.
    // Integer arithmetic: the address may lie past the end of the weights (prefetch ignores it).
    const uintptr_t ahead = reinterpret_cast<uintptr_t>(w) + NW * row_bytes + NW * i * kElemBytes;
    for (int line = 0; line < NW * kElemBytes / 2; ++line) {
      _mm_prefetch(reinterpret_cast<const char*>(ahead + 64 * line), kPrefetchHint);
    }
    for (int half = 0; half < 2; ++half) {
      __m512 wv[NW];
      for (int j = 0; j < NW; ++j) wv[j] = Load16<T>(w + j * row_bytes, i + 16 * half);
      for (int r = 0; r < MR; ++r) {
        __m512 xv = _mm512_loadu_ps(x + r * ldx + i + 16 * half);
        for (int j = 0; j < NW; ++j) {
          __m512& a = acc[half % kSets][r][j];
          a = _mm512_fmadd_ps(xv, wv[j], a);
        }
      }
    }
  }
  for (; i < k; i += 16) {
    const __mmask16 mask = FirstLanes(k - i);
    __m512 wv[NW];
    for (int j = 0; j < NW; ++j) wv[j] = Load16Masked<T>(w + j * row_bytes, i, mask);
    for (int r = 0; r < MR; ++r) {
      __m512 xv = _mm512_maskz_loadu_ps(mask, x + r * ldx + i);
      for (int j = 0; j < NW; ++j) acc[0][r][j] = _mm512_fmadd_ps(xv, wv[j], acc[0][r][j]);
    }
  }
  for (int r = 0; r < MR; ++r) {
    for (int j = 0; j < NW; ++j) {
      __m512 a = acc[0][r][j];
      if constexpr (kSets == 2) a = _mm512_add_ps(a, acc[1][r][j]);
      y[r * ldy + j] = _mm512_reduce_add_ps(a);
    }
  }
}

template <DType T, int MR>
void DirectRows(const float* x, int64_t ldx, int64_t k, const uint8_t* w, size_t row_bytes, int nw,
                float* y, int64_t ldy) {
  switch (nw) {
    case 4:
      return DirectTile<T, MR, 4>(x, ldx, k, w, row_bytes, y, ldy);
    case 3:
      return DirectTile<T, MR, 3>(x, ldx, k, w, row_bytes, y, ldy);
    case 2:
      return DirectTile<T, MR, 2>(x, ldx, k, w, row_bytes, y, ldy);
    default:
      return DirectTile<T, MR, 1>(x, ldx, k, w, row_bytes, y, ldy);
  }
}

template <DType T>
void Direct(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, int64_t o_begin,
            int64_t o_end, float* y, int64_t ldy) {
  const size_t row_bytes = static_cast<size_t>(k) * (T == DType::kF32 ? 4 : 2);
  const uint8_t* wb = static_cast<const uint8_t*>(w);
  // Weight rows outermost: each is streamed from memory once; the activations stay in cache.
  for (int64_t o = o_begin; o < o_end; o += 4) {
    const int nw = static_cast<int>(o_end - o < 4 ? o_end - o : 4);
    const uint8_t* wo = wb + static_cast<size_t>(o) * row_bytes;
    for (int64_t r = 0; r < m; r += 4) {
      const float* xr = x + r * ldx;
      float* yr = y + r * ldy + o;
      switch (m - r < 4 ? m - r : 4) {
        case 4:
          DirectRows<T, 4>(xr, ldx, k, wo, row_bytes, nw, yr, ldy);
          break;
        case 3:
          DirectRows<T, 3>(xr, ldx, k, wo, row_bytes, nw, yr, ldy);
          break;
        case 2:
          DirectRows<T, 2>(xr, ldx, k, wo, row_bytes, nw, yr, ldy);
          break;
        default:
          DirectRows<T, 1>(xr, ldx, k, wo, row_bytes, nw, yr, ldy);
          break;
      }
    }
  }
}

}  // namespace

void MatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
            int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
  if (m >= kPackedMinRows) return GemmPacked(x, m, k, ldx, w, wtype, o_begin, o_end, y, ldy);
  switch (wtype) {
    case DType::kF16:
      return Direct<DType::kF16>(x, m, k, ldx, w, o_begin, o_end, y, ldy);
    case DType::kBF16:
      return Direct<DType::kBF16>(x, m, k, ldx, w, o_begin, o_end, y, ldy);
    default:
      return Direct<DType::kF32>(x, m, k, ldx, w, o_begin, o_end, y, ldy);
  }
}

}  // namespace miaotui::kernels::internal::avx512
