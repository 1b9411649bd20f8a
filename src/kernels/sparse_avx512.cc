// AVX-512 GEMV over sparse F16 rows (sparse.h). Compiled with MIAOTUI_AVX512_FLAGS; entered only
// when the CPU has them.
//  - Unstructured: per 16 columns, the bitmap's popcount says how many values follow; 16 F16
//    are loaded unmasked (the packer leaves slack after the data, and lanes past the count are
//    ignored), widened, and vexpandps places them in the bitmap's lanes; one FMA with x.
//  - 2:4: per 32 columns, the 16 two-bit positions become lane indices 4 g + position (variable
//    shift, and, add), vpermt2ps gathers those x values from two registers; one FMA with the 16
//    widened values.
// Two accumulators per row hide the FMA latency; x stays in L1 across rows.
#include "kernels/sparse_internal.h"
#include "kernels/x86_avx512/simd_avx512.h"

namespace miaotui::kernels::internal {
namespace {

using avx512::FirstLanes;

// x[i .. i + 16), zeros past k (nothing is read there).
inline __m512 LoadX(const float* x, int64_t i, int64_t k) {
  if (i + 16 <= k) return _mm512_loadu_ps(x + i);
  return i < k ? _mm512_maskz_loadu_ps(FirstLanes(k - i), x + i) : _mm512_setzero_ps();
}

inline __m512 Values16(const uint8_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

float RowUnstructured(const uint8_t* p, int64_t k, const float* x) {
  const int64_t blocks = (k + 15) / 16;
  const uint16_t* masks = reinterpret_cast<const uint16_t*>(p);
  const uint8_t* vals = p + 2 * blocks;
  __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
  const int64_t full = k / 16;
  int64_t b = 0;
  for (; b + 2 <= full; b += 2) {
    const uint32_t m0 = masks[b], m1 = masks[b + 1];
    const __m512 v0 = _mm512_maskz_expand_ps(static_cast<__mmask16>(m0), Values16(vals));
    vals += 2 * __builtin_popcount(m0);
    const __m512 v1 = _mm512_maskz_expand_ps(static_cast<__mmask16>(m1), Values16(vals));
    vals += 2 * __builtin_popcount(m1);
    a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + 16 * b), v0, a0);
    a1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + 16 * b + 16), v1, a1);
  }
  for (; b < blocks; ++b) {
    const uint32_t m = masks[b];
    const __m512 v = _mm512_maskz_expand_ps(static_cast<__mmask16>(m), Values16(vals));
    vals += 2 * __builtin_popcount(m);
    a0 = _mm512_fmadd_ps(LoadX(x, 16 * b, k), v, a0);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

// Lane indices into the 32 x values of a chunk for the 16 two-bit positions in `pos`.
inline __m512i Lanes2of4(uint32_t pos) {
  const __m512i shifts =
      _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i group = _mm512_setr_epi32(0, 0, 4, 4, 8, 8, 12, 12, 16, 16, 20, 20, 24, 24, 28, 28);
  const __m512i p = _mm512_and_si512(
      _mm512_srlv_epi32(_mm512_set1_epi32(static_cast<int>(pos)), shifts), _mm512_set1_epi32(3));
  return _mm512_add_epi32(p, group);
}

inline __m512 Chunk2of4(const uint8_t* p, const float* x, int64_t i, int64_t k) {
  uint32_t pos;
  std::memcpy(&pos, p, 4);
  const __m512 xs = _mm512_permutex2var_ps(LoadX(x, i, k), Lanes2of4(pos), LoadX(x, i + 16, k));
  return _mm512_mul_ps(xs, Values16(p + 4));
}

float Row2of4(const uint8_t* p, int64_t k, const float* x) {
  const int64_t chunks = (k + 31) / 32, full = k / 32;
  __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
  int64_t c = 0;
  for (; c + 2 <= full; c += 2, p += 72) {
    uint32_t pos0, pos1;
    std::memcpy(&pos0, p, 4);
    std::memcpy(&pos1, p + 36, 4);
    const __m512i i0 = Lanes2of4(pos0), i1 = Lanes2of4(pos1);
    const float* xc = x + 32 * c;
    const __m512 x0 = _mm512_permutex2var_ps(_mm512_loadu_ps(xc), i0, _mm512_loadu_ps(xc + 16));
    const __m512 x1 = _mm512_permutex2var_ps(_mm512_loadu_ps(xc + 32), i1, _mm512_loadu_ps(xc + 48));
    a0 = _mm512_fmadd_ps(x0, Values16(p + 4), a0);
    a1 = _mm512_fmadd_ps(x1, Values16(p + 40), a1);
  }
  for (; c < chunks; ++c, p += 36) a0 = _mm512_add_ps(a0, Chunk2of4(p, x, 32 * c, k));
  return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

}  // namespace

void SparseGemvAvx512(const SparseMatrix& w, const float* x, int64_t o_begin, int64_t o_end,
                      float* y) {
  const uint8_t* data = w.data.data();
  for (int64_t o = o_begin; o < o_end; ++o) {
    const uint8_t* p = data + w.row_begin[static_cast<size_t>(o)];
    y[o] = w.layout == SparseLayout::kUnstructured ? RowUnstructured(p, w.k, x)
                                                   : Row2of4(p, w.k, x);
  }
}

}  // namespace miaotui::kernels::internal
