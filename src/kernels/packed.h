// Packed weight layouts: quantized rows interleaved 16 at a time, so that one 512-bit load holds
// the same 4 bytes of 16 rows and one vpdpbusd with a broadcast activation word advances 16 row
// dot products at once (no horizontal sums, one F16 -> F32 conversion per 16 scales). They exist
// only in memory: a model's matrices are packed once, after loading, by graph::WeightPacker, and
// never written to a file (the DTypes are outside GGUF's numbering).
//
// Q4_0x16 (from Q4_0), per group of 16 rows and per 32-value block, 288 bytes:
//   [0, 32)    the 16 rows' F16 scales d, in row order
//   [32, 288)  4 chunks of 64 bytes; chunk c holds bytes 4c..4c+3 of each row's 16 nibble bytes,
//              row i at 4i (as in Q4_0, byte j's low nibble is value j, its high nibble j + 16)
// Q8_0x16 (from Q8_0), per group and block, 544 bytes:
//   [0, 32)    the 16 scales
//   [32, 544)  8 chunks of 64 bytes; chunk c holds values 4c..4c+3 of each row, row i at 4i,
//              each stored as q + 128 (unsigned, for vpdpbusd's unsigned x signed bytes)
// Group g (rows 16g .. 16g + 15) starts at byte 16 g RowBytes(type, k), its blocks in order, so a
// packed matrix has its source's size and rows [16a, 16b) are one contiguous slice.
//
// MatMul (matmul.h) takes packed weights with o_begin and o_end multiples of 16; the result
// equals that of the source layout up to float rounding order (the integer block sums are exact).
#pragma once

#include <cstdint>
#include <optional>

#include "kernels/isa.h"
#include "tensor/dtype.h"

namespace miaotui::kernels {

inline constexpr int64_t kPackRows = 16;

// The packed layout that runs faster than `t` itself on `isa`, if there is one.
std::optional<DType> PackedTypeFor(DType t, Isa isa);
bool IsPackedType(DType t);
// The GGUF type a packed type was made from. REQUIRES: IsPackedType(packed).
DType PackedSourceType(DType packed);

// Rearranges `rows` dense rows of k values of PackedSourceType(packed) into the packed layout,
// and back. REQUIRES: rows % kPackRows == 0, k % 32 == 0, src and dst do not overlap.
void PackRows(DType packed, const void* src, int64_t rows, int64_t k, void* dst);
void UnpackRows(DType packed, const void* src, int64_t rows, int64_t k, void* dst);

}  // namespace miaotui::kernels
