// The row-block and tile loop shared by the packed-layout kernels (packed_avx512.cc,
// packed_k_avx512.cc); included only from AVX-512 translation units.
//
// A layout L supplies kMaxMr, kMaxNg and L::Tile<MR, NG>(a, r0, w, group_bytes, y, ldy), which
// writes y[r * ldy + 16 g + i] = activation row r0 + r . weight row 16 g + i of the groups at w
// for r < MR, g < NG. Run covers groups [g_begin, g_end) of the packed matrix at w and all
// activation rows: rows go in blocks that stay in L2 while the weight groups stream past, and a
// tile's groups are reused from L2 by every tile of a row block.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/packed.h"
#include "kernels/quant_internal.h"
#include "kernels/x86_avx512/simd_avx512.h"

namespace miaotui::kernels::internal::avx512 {

// PackedRun for Q4_Kx16, Q5_Kx16 and Q6_Kx16 (packed_k_avx512.cc); `a` holds Q8_K activations.
void PackedKRun(const QuantizedActs& a, DType wtype, const uint8_t* w, size_t group_bytes,
                int64_t g_begin, int64_t g_end, float* y, int64_t ldy);

inline constexpr int64_t kPackedActBlockBytes = 256 * 1024;

// The 4 bytes at p broadcast to the 16 lanes.
inline __m512i BroadcastWord(const void* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

template <class L, int NG, int MR = L::kMaxMr>
void PackedTileRows(int mr, const QuantizedActs& a, int64_t r0, const uint8_t* w,
                    size_t group_bytes, float* y, int64_t ldy) {
  if constexpr (MR > 1) {
    if (mr < MR) return PackedTileRows<L, NG, MR - 1>(mr, a, r0, w, group_bytes, y, ldy);
  }
  L::template Tile<MR, NG>(a, r0, w, group_bytes, y, ldy);
}

template <class L>
void PackedRun(const QuantizedActs& a, const uint8_t* w, size_t group_bytes, int64_t g_begin,
               int64_t g_end, float* y, int64_t ldy) {
  constexpr int kMr = L::kMaxMr, kNg = L::kMaxNg;
  const int64_t m = a.rows;
  int64_t rows_per_block = kPackedActBlockBytes / (a.k > 0 ? a.k : 1);
  rows_per_block = rows_per_block < kMr ? kMr : rows_per_block - rows_per_block % kMr;
  for (int64_t rb0 = 0; rb0 < m; rb0 += rows_per_block) {
    const int64_t rb1 = rb0 + rows_per_block < m ? rb0 + rows_per_block : m;
    for (int64_t g = g_begin; g < g_end; g += m > 1 ? kNg : 1) {
      const uint8_t* wg = w + static_cast<size_t>(g) * group_bytes;
      // Decode (m = 1) takes one group at a time: one sequential stream per thread pulled more
      // bandwidth than two interleaved ones (Q4_Kx16 GEMV at 2 threads 17.6 -> 27-30 GB/s;
      // software prefetch did not help either layout).
      const bool full = m > 1 && g_end - g >= kNg;
      for (int64_t r = rb0; r < rb1; r += kMr) {
        const int mr = static_cast<int>(rb1 - r < kMr ? rb1 - r : kMr);
        float* yo = y + r * ldy + g * kPackRows;
        if (full) {
          PackedTileRows<L, kNg>(mr, a, r, wg, group_bytes, yo, ldy);
        } else {
          PackedTileRows<L, 1>(mr, a, r, wg, group_bytes, yo, ldy);
        }
      }
    }
  }
}

}  // namespace miaotui::kernels::internal::avx512
