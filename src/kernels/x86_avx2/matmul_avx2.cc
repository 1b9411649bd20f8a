// AVX2 MatMul (the fallback for CPUs without AVX-512): a direct kernel that streams each weight
// row once, 4 weight rows x up to 2 activation rows per tile (16 ymm registers), converting
// F16/BF16 on the fly, with software prefetch of the next tile and zero-padded tails. Used for
// every m; the packed-panel GEMM exists for AVX-512 only.
#include "kernels/x86_avx2/simd_avx2.h"

namespace miaotui::kernels::internal::avx2 {
namespace {

template <DType T, int MR, int NW>
void DirectTile(const float* x, int64_t ldx, int64_t k, const uint8_t* w, size_t row_bytes,
                float* y, int64_t ldy) {
  constexpr int kSets = MR == 1 ? 2 : 1;
  __m256 acc[kSets][MR][NW];
  for (int s = 0; s < kSets; ++s)
    for (int r = 0; r < MR; ++r)
      for (int j = 0; j < NW; ++j) acc[s][r][j] = _mm256_setzero_ps();

  int64_t i = 0;
  for (; i + 16 <= k; i += 16) {
    // Fetch the next tile (it follows this one in memory) in address order into L2.
    // Integer arithmetic: the address may lie past the end of the weights (prefetch ignores it).
    const uintptr_t ahead =
        reinterpret_cast<uintptr_t>(w) + NW * row_bytes + NW * i * kElemBytes<T>;
    for (int line = 0; line < (NW * 16 * kElemBytes<T> + 63) / 64; ++line) {
      _mm_prefetch(reinterpret_cast<const char*>(ahead + 64 * line), _MM_HINT_T1);
    }
    for (int half = 0; half < 2; ++half) {
      __m256 wv[NW];
      for (int j = 0; j < NW; ++j) wv[j] = Load8<T>(w + j * row_bytes, i + 8 * half);
      for (int r = 0; r < MR; ++r) {
        __m256 xv = _mm256_loadu_ps(x + r * ldx + i + 8 * half);
        for (int j = 0; j < NW; ++j) {
          __m256& a = acc[half % kSets][r][j];
          a = _mm256_fmadd_ps(xv, wv[j], a);
        }
      }
    }
  }
  for (; i < k; i += 8) {
    const int64_t count = k - i;
    __m256 wv[NW];
    for (int j = 0; j < NW; ++j) {
      wv[j] = count >= 8 ? Load8<T>(w + j * row_bytes, i)
                         : Load8Partial<T>(w + j * row_bytes, i, count);
    }
    for (int r = 0; r < MR; ++r) {
      __m256 xv = count >= 8 ? _mm256_loadu_ps(x + r * ldx + i)
                             : Load8Partial<DType::kF32>(x + r * ldx, i, count);
      for (int j = 0; j < NW; ++j) acc[0][r][j] = _mm256_fmadd_ps(xv, wv[j], acc[0][r][j]);
    }
  }
  for (int r = 0; r < MR; ++r) {
    for (int j = 0; j < NW; ++j) {
      __m256 a = acc[0][r][j];
      if constexpr (kSets == 2) a = _mm256_add_ps(a, acc[1][r][j]);
      y[r * ldy + j] = HorizontalSum(a);
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
  for (int64_t o = o_begin; o < o_end; o += 4) {
    const int nw = static_cast<int>(o_end - o < 4 ? o_end - o : 4);
    const uint8_t* wo = wb + static_cast<size_t>(o) * row_bytes;
    int64_t r = 0;
    for (; r + 2 <= m; r += 2) {
      DirectRows<T, 2>(x + r * ldx, ldx, k, wo, row_bytes, nw, y + r * ldy + o, ldy);
    }
    if (r < m) DirectRows<T, 1>(x + r * ldx, ldx, k, wo, row_bytes, nw, y + r * ldy + o, ldy);
  }
}

}  // namespace

void MatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
            int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
  switch (wtype) {
    case DType::kF16:
      return Direct<DType::kF16>(x, m, k, ldx, w, o_begin, o_end, y, ldy);
    case DType::kBF16:
      return Direct<DType::kBF16>(x, m, k, ldx, w, o_begin, o_end, y, ldy);
    default:
      return Direct<DType::kF32>(x, m, k, ldx, w, o_begin, o_end, y, ldy);
  }
}

}  // namespace miaotui::kernels::internal::avx2
