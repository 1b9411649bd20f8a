// Matrix products of float32 activations with weights stored as F32, F16 or BF16 rows, or as
// quantized rows (Q4_0 ... Q6_K, IQ4_NL, IQ4_XS): each activation row is then quantized once per
// call to the format's activation type (Q8_0/Q8_1/Q8_K, ties to even, as llama.cpp on x86) and
// multiplied with exact integer block dot products (k must be a multiple of the block size).
//
// Convention (as in a linear layer y = W x, W stored (out, in) row-major):
//   y[r, o] = sum_k x[r, k] * w[o, k]    for r in [0, m), o in [o_begin, o_end)
// x: m rows of k floats, row stride ldx (floats). w: n rows of k elements of `wtype`, dense
// (row stride RowBytes(wtype, k)). y: row stride ldy (floats). Only the columns [o_begin, o_end)
// are written, so callers split the output columns across threads. Accumulation is float32.
// Thread safety: pure functions; any scratch space is thread-local.
#pragma once

#include <cstdint>

#include "kernels/isa.h"
#include "tensor/dtype.h"

namespace miaotui::kernels {

bool MatMulSupports(DType wtype);

// Uses ActiveIsa().
void MatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
            int64_t o_begin, int64_t o_end, float* y, int64_t ldy);
// Explicit ISA (tests compare every available ISA against kScalar).
void MatMulIsa(Isa isa, const float* x, int64_t m, int64_t k, int64_t ldx, const void* w,
               DType wtype, int64_t o_begin, int64_t o_end, float* y, int64_t ldy);

}  // namespace miaotui::kernels
