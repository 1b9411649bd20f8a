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
// Q4_Kx16 (from Q4_K), per group and 256-value super-block, 2304 bytes:
//   [0, 32)      the 16 rows' F16 d;  [32, 64) their F16 dmin
//   [64, 128)    byte 16 p + i: low 4 bits of row i's 6-bit scale 2p (low nibble) and 2p + 1
//   [128, 192)   likewise for the 8 mins
//   [192, 256)   row i's uint32 at 4 i: bits 2j, 2j + 1 = bits 4, 5 of scale j; bits 16 + 2j,
//                17 + 2j = those of min j
//   [256, 2304)  32 chunks of 64 bytes; chunk c holds bytes 4c..4c+3 of each row's 128 nibble
//                bytes (Q4_K's order: byte 32 p + l holds values 64 p + l and 64 p + 32 + l)
// Q5_Kx16 (from Q5_K), per group and super-block, 2816 bytes: [0, 256) as in Q4_Kx16, then 8
//   chunks holding bytes 4c..4c+3 of each row's 32 fifth-bit bytes qh, then the 32 nibble chunks
// Q6_Kx16 (from Q6_K), per group and super-block, 3360 bytes:
//   [0, 32)      the 16 F16 d;  [32, 288) byte 32 p + 2 i, + 1: row i's int8 scales 2p, 2p + 1
//   [288, 3360)  16 steps s = 8 h + l (h < 2, l < 8) of 3 chunks of 64 bytes, row i at 4i of
//                each: Q6_K's ql bytes 64 h + 4 l .. + 3, ql bytes 64 h + 32 + 4 l .. + 3 and qh
//                bytes 32 h + 4 l .. + 3, which hold values 128 h + 32 k + 4 l .. + 3 for k < 4
// Each has its source's size (the 12 scale bytes of Q4_K are 16 6-bit values, as here).
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
// and back. REQUIRES: rows % kPackRows == 0, k a multiple of the type's block (32 or 256), src
// and dst do not overlap.
void PackRows(DType packed, const void* src, int64_t rows, int64_t k, void* dst);
void UnpackRows(DType packed, const void* src, int64_t rows, int64_t k, void* dst);

}  // namespace miaotui::kernels
