// Sparse F16 weights for the decode matrix-vector product: two storage layouts that read fewer
// bytes than dense F16 when at least half the weights are zero (after pruning), and their GEMV.
//
// Layouts (per row of k input values; rows are independent, row_begin gives each row's offset):
//  - kUnstructured: ceil(k / 16) uint16 bitmaps (bit i of bitmap b: element 16 b + i is nonzero),
//    then the row's nonzero values as F16, in column order. 2 bytes per 16 columns + 2 bytes per
//    nonzero: at 50 % zeros, 56 % of the dense bytes.
//  - k2of4: ceil(k / 32) chunks of 36 bytes: a uint32 of 16 two-bit positions, then 16 F16
//    values; value j of chunk c belongs to group g = j / 2 of four columns (32 c + 4 g ..
//    32 c + 4 g + 3), at column 32 c + 4 g + position j. At most two nonzeros per group of four
//    (the 2:4 pattern); unused slots hold +0. 1.125 bytes per column: 56 % of the dense bytes.
//    A row tail (k not a multiple of 32) is padded with zero values.
//
// SparseGemv: y[o] = sum_i x[i] * w[o, i] for o in [o_begin, o_end), float32 accumulation (as
// MatMul with m = 1; callers split rows across threads). The scalar reference sums the nonzeros
// in column order; the AVX-512 kernel expands each block of values into 16 lanes (vexpandps for
// bitmaps, vpermt2ps for 2:4 positions) and multiplies with x in registers.
//
// Whether this beats the dense F16 GEMV is measured in bench/sparse_bench.cc
// (docs/BENCHMARKS.md); the engine's matmuls stay dense.
// Thread safety: SparseMatrix is immutable after packing; SparseGemv is a pure function.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "kernels/isa.h"

namespace miaotui::kernels {

enum class SparseLayout { kUnstructured, k2of4 };

struct SparseMatrix {
  SparseLayout layout = SparseLayout::kUnstructured;
  int64_t n = 0, k = 0;              // rows (outputs) and columns (inputs)
  int64_t nnz = 0;                   // nonzero values stored
  std::vector<uint64_t> row_begin;   // n + 1 byte offsets into data
  std::vector<uint8_t> data;

  // Bytes a GEMV reads from the weights: the data and the row offsets.
  size_t Bytes() const { return data.size() + row_begin.size() * sizeof(uint64_t); }
};

// Packs n rows of k F16 values (bits, row-major). A value is zero when its bits are +0 or -0.
// Errors: n or k < 1; for k2of4, a group of four columns with more than two nonzeros (named by
// row and column).
Result<SparseMatrix> PackSparseF16(const uint16_t* w, int64_t n, int64_t k, SparseLayout layout);

// The dense F16 rows back (zeros where nothing is stored): the test oracle's input.
std::vector<uint16_t> UnpackSparseF16(const SparseMatrix& w);

// REQUIRES: 0 <= o_begin <= o_end <= w.n; x holds w.k floats; y holds o_end floats (only
// [o_begin, o_end) is written). Uses ActiveIsa() (AVX-512 when available, else scalar).
void SparseGemv(const SparseMatrix& w, const float* x, int64_t o_begin, int64_t o_end, float* y);
// Explicit ISA: kScalar is the reference; kAvx2 runs the reference too.
void SparseGemvIsa(Isa isa, const SparseMatrix& w, const float* x, int64_t o_begin,
                   int64_t o_end, float* y);

}  // namespace miaotui::kernels
