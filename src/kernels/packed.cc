// Packed weight layouts (packed.h): packing, unpacking, and the scalar reference product, which
// unpacks each group of 16 rows and runs the source type's reference (QuantMatMulRef).
#include "kernels/packed.h"

#include <cstring>
#include <vector>

#include "base/check.h"
#include "kernels/quant_internal.h"

namespace miaotui::kernels {
namespace {

struct Layout {
  int64_t src_block;    // bytes of one source block (one row, 32 or 256 values)
  int64_t quant_bytes;  // bytes of quants per row and block in the packed chunks
  int64_t block;        // bytes of one packed block (16 rows)
  uint8_t flip;         // xor applied to each quant byte (Q8_0: q + 128)
};

Layout LayoutOf(DType packed) {
  switch (packed) {
    case DType::kQ4_0x16:
      return {18, 16, 288, 0x00};
    case DType::kQ8_0x16:
      return {34, 32, 544, 0x80};
    case DType::kQ4_Kx16:
      return {144, 128, 2304, 0x00};
    case DType::kQ5_Kx16:
      return {176, 160, 2816, 0x00};
    case DType::kQ6_Kx16:
      return {210, 192, 3360, 0x00};
    default:
      CHECK(false && "not a packed type");
  }
}

// The chunk of a Q6_Kx16 block holding bytes j..j+3 of a Q6_K block's ql (j < 128) or qh.
int64_t Q6Chunk(int64_t j) {
  if (j < 128) return 3 * (8 * (j / 64) + j % 32 / 4) + j % 64 / 32;
  return 3 * (8 * ((j - 128) / 32) + (j - 128) % 32 / 4) + 2;
}

// Calls move(packed_offset, row_offset, n, flip) for every piece of a matrix that is moved as
// it is: each scale (n = 2, flip 0) and each row's 4-byte share of a chunk (n = 4, flip = the
// layout's xor in every byte), with byte offsets in the packed and in the source (row) layout.
// Q4_Kx16's and Q5_Kx16's 12 bytes of sub-block scales and mins are left to scales(packed_block, row_block, i).
template <class Move, class Scales>
void ForEachPiece(DType packed, int64_t rows, int64_t k, Move move, Scales scales) {
  const int64_t bs = GetDTypeInfo(packed).block_size;
  CHECK(rows % kPackRows == 0 && k % bs == 0);
  const Layout l = LayoutOf(packed);
  const int64_t nb = k / bs, row_bytes = nb * l.src_block;
  const uint32_t flip = l.flip * 0x01010101u;
  for (int64_t g = 0; g < rows / kPackRows; ++g) {
    for (int64_t b = 0; b < nb; ++b) {
      const int64_t pb = g * kPackRows * row_bytes + b * l.block;
      for (int64_t i = 0; i < kPackRows; ++i) {
        const int64_t rb = (g * kPackRows + i) * row_bytes + b * l.src_block;
        if (packed == DType::kQ4_Kx16 || packed == DType::kQ5_Kx16) {
          move(pb + 2 * i, rb, 2, 0u);
          move(pb + 32 + 2 * i, rb + 2, 2, 0u);
          scales(pb, rb + 4, i);
          // Q5_K: 32 bytes of fifth bits, then the nibbles, both as chunks.
          for (int64_t j = 0; j < l.quant_bytes; j += 4) {
            move(pb + 256 + 16 * j + 4 * i, rb + 16 + j, 4, 0u);
          }
        } else if (packed == DType::kQ6_Kx16) {
          move(pb + 2 * i, rb + 208, 2, 0u);
          for (int64_t p = 0; p < 8; ++p) move(pb + 32 + 32 * p + 2 * i, rb + 192 + 2 * p, 2, 0u);
          for (int64_t j = 0; j < 192; j += 4)
            move(pb + 288 + 64 * Q6Chunk(j) + 4 * i, rb + j, 4, 0u);
        } else {
          move(pb + 2 * i, rb, 2, 0u);
          for (int64_t j = 0; j < l.quant_bytes; j += 4) {
            move(pb + 32 + 64 * (j / 4) + 4 * i, rb + 2 + j, 4, flip);
          }
        }
      }
    }
  }
}

// Q4_K's 12 scale bytes (ggml's get_scale_min_k4 layout) <-> the 8 6-bit scales and mins.
void SplitK4Scales(const uint8_t* q, uint8_t sc[8], uint8_t m[8]) {
  for (int j = 0; j < 4; ++j) {
    sc[j] = q[j] & 63;
    m[j] = q[j + 4] & 63;
    sc[j + 4] = static_cast<uint8_t>((q[j + 8] & 15) | (q[j] >> 6) << 4);
    m[j + 4] = static_cast<uint8_t>((q[j + 8] >> 4) | (q[j + 4] >> 6) << 4);
  }
}

void JoinK4Scales(const uint8_t sc[8], const uint8_t m[8], uint8_t* q) {
  for (int j = 0; j < 4; ++j) {
    q[j] = static_cast<uint8_t>(sc[j] | (sc[j + 4] >> 4) << 6);
    q[j + 4] = static_cast<uint8_t>(m[j] | (m[j + 4] >> 4) << 6);
    q[j + 8] = static_cast<uint8_t>((sc[j + 4] & 15) | (m[j + 4] & 15) << 4);
  }
}

// Row i's scales and mins in a Q4_Kx16 block at p (packed.h): low nibbles of pairs and the
// high-bit word.
void PutK4Scales(uint8_t* p, int64_t i, const uint8_t sc[8], const uint8_t m[8]) {
  uint32_t high = 0;
  for (int j = 0; j < 8; ++j)
    high |= static_cast<uint32_t>(sc[j] >> 4) << (2 * j) | static_cast<uint32_t>(m[j] >> 4)
                                                               << (16 + 2 * j);
  for (int q = 0; q < 4; ++q) {
    p[64 + 16 * q + i] = static_cast<uint8_t>((sc[2 * q] & 15) | (sc[2 * q + 1] & 15) << 4);
    p[128 + 16 * q + i] = static_cast<uint8_t>((m[2 * q] & 15) | (m[2 * q + 1] & 15) << 4);
  }
  std::memcpy(p + 192 + 4 * i, &high, 4);
}

void GetK4Scales(const uint8_t* p, int64_t i, uint8_t sc[8], uint8_t m[8]) {
  uint32_t high = 0;
  std::memcpy(&high, p + 192 + 4 * i, 4);
  for (int j = 0; j < 8; ++j) {
    const int shift = 4 * (j & 1);
    sc[j] =
        static_cast<uint8_t>((p[64 + 16 * (j / 2) + i] >> shift & 15) | (high >> (2 * j) & 3) << 4);
    m[j] = static_cast<uint8_t>((p[128 + 16 * (j / 2) + i] >> shift & 15) |
                                (high >> (16 + 2 * j) & 3) << 4);
  }
}

void CopyFlipped(uint8_t* to, const uint8_t* from, int n, uint32_t flip) {
  uint32_t v = 0;
  std::memcpy(&v, from, n);
  v ^= flip;
  std::memcpy(to, &v, n);
}

}  // namespace

std::optional<DType> PackedTypeFor(DType t, Isa isa) {
  if (isa != Isa::kAvx512) return std::nullopt;
  if (t == DType::kQ4_0) return DType::kQ4_0x16;
  if (t == DType::kQ8_0) return DType::kQ8_0x16;
  if (t == DType::kQ4_K) return DType::kQ4_Kx16;
  if (t == DType::kQ5_K) return DType::kQ5_Kx16;
  if (t == DType::kQ6_K) return DType::kQ6_Kx16;
  return std::nullopt;
}

bool IsPackedType(DType t) {
  return t == DType::kQ4_0x16 || t == DType::kQ8_0x16 || t == DType::kQ4_Kx16 ||
         t == DType::kQ5_Kx16 || t == DType::kQ6_Kx16;
}

DType PackedSourceType(DType packed) {
  switch (packed) {
    case DType::kQ4_0x16:
      return DType::kQ4_0;
    case DType::kQ8_0x16:
      return DType::kQ8_0;
    case DType::kQ4_Kx16:
      return DType::kQ4_K;
    case DType::kQ5_Kx16:
      return DType::kQ5_K;
    case DType::kQ6_Kx16:
      return DType::kQ6_K;
    default:
      CHECK(false && "not a packed type");
  }
}

void PackRows(DType packed, const void* src, int64_t rows, int64_t k, void* dst) {
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  ForEachPiece(
      packed, rows, k,
      [&](int64_t p, int64_t r, int n, uint32_t flip) { CopyFlipped(d + p, s + r, n, flip); },
      [&](int64_t p, int64_t r, int64_t i) {
        uint8_t sc[8], m[8];
        SplitK4Scales(s + r, sc, m);
        PutK4Scales(d + p, i, sc, m);
      });
}

void UnpackRows(DType packed, const void* src, int64_t rows, int64_t k, void* dst) {
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  ForEachPiece(
      packed, rows, k,
      [&](int64_t p, int64_t r, int n, uint32_t flip) { CopyFlipped(d + r, s + p, n, flip); },
      [&](int64_t p, int64_t r, int64_t i) {
        uint8_t sc[8], m[8];
        GetK4Scales(s + p, i, sc, m);
        JoinK4Scales(sc, m, d + r);
      });
}

namespace internal {

void PackedMatMulRef(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                     int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
  const DType src = PackedSourceType(wtype);
  const size_t group_bytes = RowBytes(src, k) * kPackRows;
  std::vector<uint8_t> rows(group_bytes);
  for (int64_t o = o_begin; o < o_end; o += kPackRows) {
    UnpackRows(wtype, static_cast<const uint8_t*>(w) + o / kPackRows * group_bytes, kPackRows, k,
               rows.data());
    QuantMatMulRef(x, m, k, ldx, rows.data(), src, 0, kPackRows, y + o, ldy);
  }
}

}  // namespace internal
}  // namespace miaotui::kernels
