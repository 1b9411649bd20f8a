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
  int64_t src_block;    // bytes of one source block (one row, 32 values)
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
    default:
      CHECK(false && "not a packed type");
  }
}

// Calls move(packed_offset, row_offset, n, flip) for every piece of a matrix: each scale (n = 2,
// flip 0) and each row's 4-byte share of a chunk (n = 4, flip = the layout's xor in every byte),
// with byte offsets in the packed and in the source (row) layout.
template <class Move>
void ForEachPiece(DType packed, int64_t rows, int64_t k, Move move) {
  CHECK(rows % kPackRows == 0 && k % 32 == 0);
  const Layout l = LayoutOf(packed);
  const int64_t nb = k / 32, row_bytes = nb * l.src_block;
  const uint32_t flip = l.flip * 0x01010101u;
  for (int64_t g = 0; g < rows / kPackRows; ++g) {
    for (int64_t b = 0; b < nb; ++b) {
      const int64_t pb = g * kPackRows * row_bytes + b * l.block;
      for (int64_t i = 0; i < kPackRows; ++i) {
        const int64_t rb = (g * kPackRows + i) * row_bytes + b * l.src_block;
        move(pb + 2 * i, rb, 2, 0u);
        for (int64_t j = 0; j < l.quant_bytes; j += 4) {
          move(pb + 32 + 64 * (j / 4) + 4 * i, rb + 2 + j, 4, flip);
        }
      }
    }
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
  return std::nullopt;
}

bool IsPackedType(DType t) { return t == DType::kQ4_0x16 || t == DType::kQ8_0x16; }

DType PackedSourceType(DType packed) {
  CHECK(IsPackedType(packed));
  return packed == DType::kQ4_0x16 ? DType::kQ4_0 : DType::kQ8_0;
}

void PackRows(DType packed, const void* src, int64_t rows, int64_t k, void* dst) {
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  ForEachPiece(packed, rows, k, [&](int64_t p, int64_t r, int n, uint32_t flip) {
    CopyFlipped(d + p, s + r, n, flip);
  });
}

void UnpackRows(DType packed, const void* src, int64_t rows, int64_t k, void* dst) {
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  ForEachPiece(packed, rows, k, [&](int64_t p, int64_t r, int n, uint32_t flip) {
    CopyFlipped(d + r, s + p, n, flip);
  });
}

namespace internal {

void PackedMatMulRef(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w,
                     DType wtype, int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
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
