// MatMul on the K-quant packed layouts (packed.h: Q4_Kx16, Q5_Kx16, Q6_Kx16), AVX-512 VNNI, against Q8_K
// activations; the tile loop is packed_driver.h's. As for Q4_0x16, a 64-byte chunk holds the
// same 4 bytes of 16 weight rows, and vpdpbusd with a broadcast activation word leaves the 16
// rows' integer dot products in 16 lanes. Per super-block of 256 values:
//   Q4_Kx16: per sub-block pair (8 chunks) two int32 sums (low and high nibbles), each times the
//            16 rows' 6-bit scales (vpmulld), summed over the super-block; the mins are
//            sum_j m_j * (activation sum over sub-block j) with vpdpwssd on (m_j, m_j) pairs and
//            the Q8_K bsums; then acc += isum * (d * da) - msum * (dmin * da) in float.
//   Q5_Kx16: as Q4_Kx16, each nibble or-ed with its fifth bit (one more chunk load per 8).
//   Q6_Kx16: 3 chunk loads (two of low nibbles, one of high bit pairs) give 4 x 4 values per row;
//            per 16-value sub-block an int32 sum times the int8 scale; the offset 32 is taken
//            out as 32 * sum_j sc_j * bsum_j (vpdpwssd on the stored scale pairs); then
//            acc += isum * (d * da).
// The integer sums are exact (bit-identical to the source type's reference per super-block);
// only the float scaling and summation order differ.
#include <cstdint>

#include "kernels/x86_avx512/packed_driver.h"

namespace miaotui::kernels::internal::avx512 {
namespace {

inline __m512i Load(const uint8_t* p) { return _mm512_loadu_si512(p); }

// The 6-bit values of sub-blocks 2p and 2p + 1 of the 16 rows (as int32) from a Q4_Kx16 block's
// low-nibble bytes at `low` and high-bit words `high` (already shifted so that sub-block 0's
// bits are at 0).
inline void K4Pair(const uint8_t* low, __m512i high, int p, __m512i* even, __m512i* odd) {
  const __m512i b = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(low)));
  const __m512i three = _mm512_set1_epi32(3), fifteen = _mm512_set1_epi32(15);
  const __m512i h = _mm512_srli_epi32(high, 4 * p);
  *even = _mm512_or_si512(_mm512_and_si512(b, fifteen),
                          _mm512_slli_epi32(_mm512_and_si512(h, three), 4));
  *odd = _mm512_or_si512(_mm512_srli_epi32(b, 4),
                         _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(h, 2), three), 4));
}

// Q4_Kx16, or with kFive Q5_Kx16 (the fifth bits in 8 more chunks before the nibbles).
template <bool kFive>
struct Q4K {
  static constexpr int kMaxMr = 2, kMaxNg = 2;
  static constexpr int64_t kBlockBytes = kFive ? 2816 : 2304, kNibbles = kFive ? 768 : 256;

  template <int MR, int NG>
  static void Tile(const QuantizedActs& a, int64_t r0, const uint8_t* w, size_t group_bytes,
                   float* y, int64_t ldy) {
    __m512 acc[MR][NG];
    for (int r = 0; r < MR; ++r) {
      for (int g = 0; g < NG; ++g) acc[r][g] = _mm512_setzero_ps();
    }
    const __m512i low4 = _mm512_set1_epi8(0x0f), bit4 = _mm512_set1_epi8(0x10);
    for (int64_t b = 0; b < a.blocks; ++b) {
      const uint8_t* blk[NG];
      __m512i high[NG];
      for (int g = 0; g < NG; ++g) {
        blk[g] = w + g * group_bytes + b * kBlockBytes;
        high[g] = Load(blk[g] + 192);
      }
      __m512i isum[MR][NG], msum[MR][NG];
      for (int r = 0; r < MR; ++r) {
        for (int g = 0; g < NG; ++g) isum[r][g] = msum[r][g] = _mm512_setzero_si512();
      }
      for (int p = 0; p < 4; ++p) {
        __m512i lo_dot[MR][NG], hi_dot[MR][NG];
        for (int r = 0; r < MR; ++r) {
          for (int g = 0; g < NG; ++g) lo_dot[r][g] = hi_dot[r][g] = _mm512_setzero_si512();
        }
        for (int c = 0; c < 8; ++c) {
          __m512i lo[NG], hi[NG];
          for (int g = 0; g < NG; ++g) {
            const __m512i v = Load(blk[g] + kNibbles + 64 * (8 * p + c));
            lo[g] = _mm512_and_si512(v, low4);
            hi[g] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
            if constexpr (kFive) {
              // Bits 2p and 2p + 1 of the fifth-bit bytes, moved to bit 4.
              const __m512i q5 = Load(blk[g] + 256 + 64 * c);
              const __m512i l5 = p < 3 ? _mm512_slli_epi16(q5, 4 - 2 * p) : _mm512_srli_epi16(q5, 2);
              const __m512i h5 =
                  p < 2 ? _mm512_slli_epi16(q5, 3 - 2 * p) : _mm512_srli_epi16(q5, 2 * p - 3);
              lo[g] = _mm512_or_si512(lo[g], _mm512_and_si512(l5, bit4));
              hi[g] = _mm512_or_si512(hi[g], _mm512_and_si512(h5, bit4));
            }
          }
          for (int r = 0; r < MR; ++r) {
            const int8_t* aq = a.qs(r0 + r) + 256 * b + 64 * p + 4 * c;
            const __m512i al = BroadcastWord(aq), ah = BroadcastWord(aq + 32);
            for (int g = 0; g < NG; ++g) {
              lo_dot[r][g] = _mm512_dpbusd_epi32(lo_dot[r][g], lo[g], al);
              hi_dot[r][g] = _mm512_dpbusd_epi32(hi_dot[r][g], hi[g], ah);
            }
          }
        }
        for (int g = 0; g < NG; ++g) {
          __m512i sc0, sc1, m0, m1;
          K4Pair(blk[g] + 64 + 16 * p, high[g], p, &sc0, &sc1);
          K4Pair(blk[g] + 128 + 16 * p, _mm512_srli_epi32(high[g], 16), p, &m0, &m1);
          // (m, m) as two int16 per lane, times the pair of 16-value activation sums.
          m0 = _mm512_or_si512(m0, _mm512_slli_epi32(m0, 16));
          m1 = _mm512_or_si512(m1, _mm512_slli_epi32(m1, 16));
          for (int r = 0; r < MR; ++r) {
            const int16_t* bs = a.bsums(r0 + r) + 16 * b + 4 * p;
            isum[r][g] = _mm512_add_epi32(isum[r][g], _mm512_mullo_epi32(lo_dot[r][g], sc0));
            isum[r][g] = _mm512_add_epi32(isum[r][g], _mm512_mullo_epi32(hi_dot[r][g], sc1));
            msum[r][g] = _mm512_dpwssd_epi32(msum[r][g], m0, BroadcastWord(bs));
            msum[r][g] = _mm512_dpwssd_epi32(msum[r][g], m1, BroadcastWord(bs + 2));
          }
        }
      }
      for (int g = 0; g < NG; ++g) {
        const __m512 d =
            _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[g])));
        const __m512 dmin =
            _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[g] + 32)));
        for (int r = 0; r < MR; ++r) {
          const __m512 da = _mm512_set1_ps(a.d(r0 + r)[b]);
          acc[r][g] =
              _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[r][g]), _mm512_mul_ps(d, da), acc[r][g]);
          acc[r][g] =
              _mm512_fnmadd_ps(_mm512_cvtepi32_ps(msum[r][g]), _mm512_mul_ps(dmin, da), acc[r][g]);
        }
      }
    }
    for (int r = 0; r < MR; ++r) {
      for (int g = 0; g < NG; ++g) _mm512_storeu_ps(y + r * ldy + 16 * g, acc[r][g]);
    }
  }
};

struct Q6K {
  static constexpr int kMaxMr = 2, kMaxNg = 2;
  static constexpr int64_t kBlockBytes = 3360, kQuants = 288;

  template <int MR, int NG>
  static void Tile(const QuantizedActs& a, int64_t r0, const uint8_t* w, size_t group_bytes,
                   float* y, int64_t ldy) {
    const __m512i low4 = _mm512_set1_epi8(0x0f), low6 = _mm512_set1_epi8(0x3f);
    __m512 acc[MR][NG];
    for (int r = 0; r < MR; ++r) {
      for (int g = 0; g < NG; ++g) acc[r][g] = _mm512_setzero_ps();
    }
    for (int64_t b = 0; b < a.blocks; ++b) {
      const uint8_t* blk[NG];
      for (int g = 0; g < NG; ++g) blk[g] = w + g * group_bytes + b * kBlockBytes;
      __m512i isum[MR][NG];
      for (int r = 0; r < MR; ++r) {
        for (int g = 0; g < NG; ++g) isum[r][g] = _mm512_setzero_si512();
      }
      // Values 128 h + 32 k + 16 half + (0..15) are sub-block 8 h + 2 k + half; step
      // s = 8 h + l4 holds values 128 h + 32 k + 4 l4 + (0..3) for k < 4.
      for (int hh = 0; hh < 4; ++hh) {
        const int h = hh / 2, half = hh % 2;
        __m512i dot[4][MR][NG];
        for (int k = 0; k < 4; ++k) {
          for (int r = 0; r < MR; ++r) {
            for (int g = 0; g < NG; ++g) dot[k][r][g] = _mm512_setzero_si512();
          }
        }
        for (int l4 = 4 * half; l4 < 4 * half + 4; ++l4) {
          __m512i v[4][NG];
          for (int g = 0; g < NG; ++g) {
            const uint8_t* step = blk[g] + kQuants + 192 * (8 * h + l4);
            const __m512i qa = Load(step), qb = Load(step + 64), qh = Load(step + 128);
            // (low & 0x0f) | (high & 0xf0) (a bitwise select), then & 0x3f, for each k.
            v[0][g] = _mm512_ternarylogic_epi32(low4, qa, _mm512_slli_epi16(qh, 4), 0xca);
            v[1][g] = _mm512_ternarylogic_epi32(low4, qb, _mm512_slli_epi16(qh, 2), 0xca);
            v[2][g] = _mm512_ternarylogic_epi32(low4, _mm512_srli_epi16(qa, 4), qh, 0xca);
            v[3][g] = _mm512_ternarylogic_epi32(low4, _mm512_srli_epi16(qb, 4),
                                                _mm512_srli_epi16(qh, 2), 0xca);
            for (int k = 0; k < 4; ++k) v[k][g] = _mm512_and_si512(v[k][g], low6);
          }
          for (int r = 0; r < MR; ++r) {
            const int8_t* aq = a.qs(r0 + r) + 256 * b + 128 * h + 4 * l4;
            for (int k = 0; k < 4; ++k) {
              const __m512i av = BroadcastWord(aq + 32 * k);
              for (int g = 0; g < NG; ++g) {
                dot[k][r][g] = _mm512_dpbusd_epi32(dot[k][r][g], v[k][g], av);
              }
            }
          }
        }
        for (int g = 0; g < NG; ++g) {
          for (int k = 0; k < 4; ++k) {
            // Scale pair k + 4 h as int16 per lane; scale 2 (k + 4 h) + half is its low (half
            // 0) or high half.
            const __m512i pair = _mm512_cvtepi8_epi16(_mm256_loadu_si256(
                reinterpret_cast<const __m256i*>(blk[g] + 32 + 32 * (k + 4 * h))));
            const __m512i sc = half == 0 ? _mm512_srai_epi32(_mm512_slli_epi32(pair, 16), 16)
                                         : _mm512_srai_epi32(pair, 16);
            for (int r = 0; r < MR; ++r) {
              isum[r][g] = _mm512_add_epi32(isum[r][g], _mm512_mullo_epi32(dot[k][r][g], sc));
            }
          }
        }
      }
      for (int g = 0; g < NG; ++g) {
        __m512i off[MR];
        for (int r = 0; r < MR; ++r) off[r] = _mm512_setzero_si512();
        for (int p = 0; p < 8; ++p) {
          const __m512i pair = _mm512_cvtepi8_epi16(
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[g] + 32 + 32 * p)));
          for (int r = 0; r < MR; ++r) {
            off[r] =
                _mm512_dpwssd_epi32(off[r], pair, BroadcastWord(a.bsums(r0 + r) + 16 * b + 2 * p));
          }
        }
        const __m512 d =
            _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[g])));
        for (int r = 0; r < MR; ++r) {
          const __m512i q = _mm512_sub_epi32(isum[r][g], _mm512_slli_epi32(off[r], 5));
          acc[r][g] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(q),
                                      _mm512_mul_ps(d, _mm512_set1_ps(a.d(r0 + r)[b])), acc[r][g]);
        }
      }
    }
    for (int r = 0; r < MR; ++r) {
      for (int g = 0; g < NG; ++g) _mm512_storeu_ps(y + r * ldy + 16 * g, acc[r][g]);
    }
  }
};

}  // namespace

void PackedKRun(const QuantizedActs& a, DType wtype, const uint8_t* w, size_t group_bytes,
                int64_t g_begin, int64_t g_end, float* y, int64_t ldy) {
  if (wtype == DType::kQ4_Kx16) {
    return PackedRun<Q4K<false>>(a, w, group_bytes, g_begin, g_end, y, ldy);
  }
  if (wtype == DType::kQ5_Kx16) {
    return PackedRun<Q4K<true>>(a, w, group_bytes, g_begin, g_end, y, ldy);
  }
  return PackedRun<Q6K>(a, w, group_bytes, g_begin, g_end, y, ldy);
}

}  // namespace miaotui::kernels::internal::avx512
