// MatMul on packed weights (packed.h), AVX-512 VNNI: the contract of quant_internal.h's
// PackedMatMul. A tile is MR activation rows x NG groups of 16 weight rows; per 32-value block
// each 64-byte chunk of a group is loaded (and, for Q4_0x16, split into its nibbles) once and
// multiplied by a broadcast 4-byte word of each activation row with vpdpbusd, which leaves the
// 16 rows' integer dot products in the 16 lanes of one register. The block's sums are then scaled
// by the 16 weight scales (one vcvtph2ps) times the activation block's scale and accumulated in
// float. Unsigned weight bytes carry an offset (Q4_0: 8, Q8_0x16: 128) that is taken out exactly
// by starting each block's sum at -offset * (sum of the activation block's int8 values).
// Activation rows go in blocks that stay in L2 while the weight groups stream past (as in
// qmatmul_driver.inc), and a group pair is reused from L2 by every tile of a row block.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cstdint>
#include <cstring>

#include "kernels/packed.h"
#include "kernels/quant_internal.h"

namespace miaotui::kernels::internal::avx512 {
namespace {

struct Q4Layout {
  static constexpr bool kNibbles = true;
  static constexpr int kChunks = 4, kBlockBytes = 288, kOffset = 8;
};
struct Q8Layout {
  static constexpr bool kNibbles = false;
  static constexpr int kChunks = 8, kBlockBytes = 544, kOffset = 128;
};

constexpr int kMaxMr = 4, kMaxNg = 2;
constexpr int64_t kActBlockBytes = 256 * 1024;

inline __m512i Word(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

// y[r * ldy + 16 g + i] = activation row r0 + r . weight row 16 g + i of the groups at w.
template <class L, int MR, int NG>
void Tile(const QuantizedActs& a, int64_t r0, const uint8_t* w, size_t group_bytes, float* y,
          int64_t ldy) {
  __m512 acc[MR][NG];
  const int8_t* aq[MR];
  const float* ad[MR];
  const int32_t* as[MR];
  for (int r = 0; r < MR; ++r) {
    for (int g = 0; g < NG; ++g) acc[r][g] = _mm512_setzero_ps();
    aq[r] = a.qs(r0 + r);
    ad[r] = a.d(r0 + r);
    as[r] = a.sum(r0 + r);
  }
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  for (int64_t b = 0; b < a.blocks; ++b) {
    const uint8_t* blk[NG];
    for (int g = 0; g < NG; ++g) blk[g] = w + g * group_bytes + b * L::kBlockBytes;
    __m512i dot[MR][NG];
    for (int r = 0; r < MR; ++r) {
      const __m512i start = _mm512_set1_epi32(-L::kOffset * as[r][b]);
      for (int g = 0; g < NG; ++g) dot[r][g] = start;
    }
    const int8_t* ab[MR];
    for (int r = 0; r < MR; ++r) ab[r] = aq[r] + 32 * b;
    for (int c = 0; c < L::kChunks; ++c) {
      if constexpr (L::kNibbles) {
        __m512i lo[NG], hi[NG];
        for (int g = 0; g < NG; ++g) {
          const __m512i v = _mm512_loadu_si512(blk[g] + 32 + 64 * c);
          lo[g] = _mm512_and_si512(v, low4);
          hi[g] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
        }
        for (int r = 0; r < MR; ++r) {
          const __m512i al = Word(ab[r] + 4 * c), ah = Word(ab[r] + 16 + 4 * c);
          for (int g = 0; g < NG; ++g) {
            dot[r][g] = _mm512_dpbusd_epi32(dot[r][g], lo[g], al);
            dot[r][g] = _mm512_dpbusd_epi32(dot[r][g], hi[g], ah);
          }
        }
      } else {
        __m512i q[NG];
        for (int g = 0; g < NG; ++g) q[g] = _mm512_loadu_si512(blk[g] + 32 + 64 * c);
        for (int r = 0; r < MR; ++r) {
          const __m512i av = Word(ab[r] + 4 * c);
          for (int g = 0; g < NG; ++g) dot[r][g] = _mm512_dpbusd_epi32(dot[r][g], q[g], av);
        }
      }
    }
    for (int g = 0; g < NG; ++g) {
      const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[g])));
      for (int r = 0; r < MR; ++r) {
        const __m512 scale = _mm512_mul_ps(dw, _mm512_set1_ps(ad[r][b]));
        acc[r][g] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot[r][g]), scale, acc[r][g]);
      }
    }
  }
  for (int r = 0; r < MR; ++r) {
    for (int g = 0; g < NG; ++g) _mm512_storeu_ps(y + r * ldy + 16 * g, acc[r][g]);
  }
}

template <class L, int NG>
void TileRows(int mr, const QuantizedActs& a, int64_t r0, const uint8_t* w, size_t group_bytes,
              float* y, int64_t ldy) {
  switch (mr) {
    case 4:
      return Tile<L, 4, NG>(a, r0, w, group_bytes, y, ldy);
    case 3:
      return Tile<L, 3, NG>(a, r0, w, group_bytes, y, ldy);
    case 2:
      return Tile<L, 2, NG>(a, r0, w, group_bytes, y, ldy);
    default:
      return Tile<L, 1, NG>(a, r0, w, group_bytes, y, ldy);
  }
}

template <class L>
void Run(const QuantizedActs& a, const uint8_t* w, size_t group_bytes, int64_t g_begin,
         int64_t g_end, float* y, int64_t ldy) {
  const int64_t m = a.rows;
  int64_t rows_per_block = kActBlockBytes / (a.k > 0 ? a.k : 1);
  rows_per_block = rows_per_block < kMaxMr ? kMaxMr : rows_per_block - rows_per_block % kMaxMr;
  for (int64_t rb0 = 0; rb0 < m; rb0 += rows_per_block) {
    const int64_t rb1 = rb0 + rows_per_block < m ? rb0 + rows_per_block : m;
    for (int64_t g = g_begin; g < g_end; g += kMaxNg) {
      const uint8_t* wg = w + static_cast<size_t>(g) * group_bytes;
      const bool pair = g_end - g >= kMaxNg;
      for (int64_t r = rb0; r < rb1; r += kMaxMr) {
        const int mr = static_cast<int>(rb1 - r < kMaxMr ? rb1 - r : kMaxMr);
        float* yo = y + r * ldy + g * kPackRows;
        if (pair) {
          TileRows<L, kMaxNg>(mr, a, r, wg, group_bytes, yo, ldy);
        } else {
          TileRows<L, 1>(mr, a, r, wg, group_bytes, yo, ldy);
        }
      }
    }
  }
}

}  // namespace

void PackedMatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                  int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
  QuantizedActs a = ActsLayout(DType::kQ8_0, m, k);
  UseActsScratch(&a);
  QuantizeActsFast(a, x, ldx);
  const size_t group_bytes = RowBytes(wtype, k) * kPackRows;
  const auto* wb = static_cast<const uint8_t*>(w);
  const int64_t g0 = o_begin / kPackRows, g1 = o_end / kPackRows;
  if (wtype == DType::kQ4_0x16) return Run<Q4Layout>(a, wb, group_bytes, g0, g1, y, ldy);
  return Run<Q8Layout>(a, wb, group_bytes, g0, g1, y, ldy);
}

}  // namespace miaotui::kernels::internal::avx512
