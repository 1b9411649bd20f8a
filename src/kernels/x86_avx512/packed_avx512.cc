// MatMul on packed weights (packed.h), AVX-512 VNNI: the contract of quant_internal.h's
// PackedMatMul. A tile is MR activation rows x NG groups of 16 weight rows; per 32-value block
// each 64-byte chunk of a group is loaded (and, for Q4_0x16, split into its nibbles) once and
// multiplied by a broadcast 4-byte word of each activation row with vpdpbusd, which leaves the
// 16 rows' integer dot products in the 16 lanes of one register. The block's sums are then scaled
// by the 16 weight scales (one vcvtph2ps) times the activation block's scale and accumulated in
// float. Unsigned weight bytes carry an offset (Q4_0: 8, Q8_0x16: 128) that is taken out exactly
// by starting each block's sum at -offset * (sum of the activation block's int8 values).
// The row blocks and tiles are packed_driver.h's; the K-quant layouts are in packed_k_avx512.cc.
#include <cstdint>

#include "kernels/x86_avx512/packed_driver.h"

namespace miaotui::kernels::internal::avx512 {
namespace {

template <class L, int MR, int NG>
void Tile(const QuantizedActs& a, int64_t r0, const uint8_t* w, size_t group_bytes, float* y,
          int64_t ldy);

struct Q4Layout {
  static constexpr bool kNibbles = true;
  static constexpr int kChunks = 4, kBlockBytes = 288, kOffset = 8, kMaxMr = 4, kMaxNg = 2;
  template <int MR, int NG>
  static void Tile(const QuantizedActs& a, int64_t r0, const uint8_t* w, size_t gb, float* y,
                   int64_t ldy) {
    avx512::Tile<Q4Layout, MR, NG>(a, r0, w, gb, y, ldy);
  }
};
struct Q8Layout {
  static constexpr bool kNibbles = false;
  static constexpr int kChunks = 8, kBlockBytes = 544, kOffset = 128, kMaxMr = 4, kMaxNg = 2;
  template <int MR, int NG>
  static void Tile(const QuantizedActs& a, int64_t r0, const uint8_t* w, size_t gb, float* y,
                   int64_t ldy) {
    avx512::Tile<Q8Layout, MR, NG>(a, r0, w, gb, y, ldy);
  }
};

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
          const __m512i al = BroadcastWord(ab[r] + 4 * c), ah = BroadcastWord(ab[r] + 16 + 4 * c);
          for (int g = 0; g < NG; ++g) {
            dot[r][g] = _mm512_dpbusd_epi32(dot[r][g], lo[g], al);
            dot[r][g] = _mm512_dpbusd_epi32(dot[r][g], hi[g], ah);
          }
        }
      } else {
        __m512i q[NG];
        for (int g = 0; g < NG; ++g) q[g] = _mm512_loadu_si512(blk[g] + 32 + 64 * c);
        for (int r = 0; r < MR; ++r) {
          const __m512i av = BroadcastWord(ab[r] + 4 * c);
          for (int g = 0; g < NG; ++g) dot[r][g] = _mm512_dpbusd_epi32(dot[r][g], q[g], av);
        }
      }
    }
    for (int g = 0; g < NG; ++g) {
      const __m512 dw =
          _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[g])));
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

}  // namespace

void PackedMatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                  int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
  const bool k_quant =
      wtype == DType::kQ4_Kx16 || wtype == DType::kQ5_Kx16 || wtype == DType::kQ6_Kx16;
  QuantizedActs a = ActsLayout(k_quant ? DType::kQ8_K : DType::kQ8_0, m, k);
  UseActsScratch(&a);
  QuantizeActsFast(a, x, ldx);
  const size_t group_bytes = RowBytes(wtype, k) * kPackRows;
  const auto* wb = static_cast<const uint8_t*>(w);
  const int64_t g0 = o_begin / kPackRows, g1 = o_end / kPackRows;
  if (k_quant) return PackedKRun(a, wtype, wb, group_bytes, g0, g1, y, ldy);
  if (wtype == DType::kQ4_0x16) return PackedRun<Q4Layout>(a, wb, group_bytes, g0, g1, y, ldy);
  return PackedRun<Q8Layout>(a, wb, group_bytes, g0, g1, y, ldy);
}

}  // namespace miaotui::kernels::internal::avx512
