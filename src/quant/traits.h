// QuantTraits: one row per quantized number format, the single place that maps a DType to its
// block geometry and its scalar reference functions. A new format is a new file and a new row.
//
// Exactly what each function computes (these are the oracles the SIMD kernels are tested
// against; n is the number of values in the row and must be a multiple of block_size):
//
//   quantize_row(x, blocks, n)    n floats -> n / block_size blocks of block_bytes bytes. The
//       scalar reference quantizer ggml runs when llama-quantize has no importance matrix, with
//       the same float operations in the same order: for Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 the bytes
//       equal llama-quantize's and gguf-py's; for the K-quants and IQ4 the same search is run.
//       For Q8_0/Q8_1 this is ggml's scalar reference (ties away from zero), not the SIMD path
//       llama.cpp uses for activations; see quantize_act.
//   dequantize_row(blocks, y, n)  blocks -> n floats, bit-identical to ggml's scalar to_float.
//   vec_dot_ref(w, a, n)          w: n values in this format, a: n values in vec_dot_type (the
//       activation format). Returns sum_i w_i * a_i as float, computed per block as exact
//       integer sums of the quants times the block scales (for formats with a min, plus the min
//       times the activation block's stored sum: Q8_1's s or Q8_K's bsums). It equals the f32
//       dot of the two dequantized rows up to float rounding - but not bit-for-bit: the order of
//       the float additions across blocks is the plain ascending one. Null for formats that
//       are only activations (Q8_1, Q8_K).
//   quantize_act(x, blocks, n, r) only for the activation formats Q8_0, Q8_1, Q8_K: quantizes
//       an activation row. Rounding::kHalfToEven reproduces llama.cpp on x86 (its AVX paths);
//       kHalfAwayFromZero reproduces ggml's scalar reference (= quantize_row). See rounding.h.
//
// Pairings (ggml's vec_dot_type): Q4_0, Q5_0, Q8_0, IQ4_NL x Q8_0; Q4_1, Q5_1 x Q8_1;
// Q2_K..Q6_K, IQ4_XS x Q8_K.
//
// Blocks are read and written with memcpy, so block pointers need no alignment. All functions
// are pure and thread-safe. F32, F16, BF16 and the formats without a row (IQ2_*, IQ3_*, IQ1_*,
// TQ*) are not quantized formats here: GetQuantTraits returns nullptr for them.
#pragma once

#include <cstdint>
#include <span>

#include "quant/rounding.h"
#include "tensor/dtype.h"

namespace miaotui::quant {

using QuantizeRowFn = void (*)(const float* x, void* blocks, int64_t n);
using DequantizeRowFn = void (*)(const void* blocks, float* y, int64_t n);
using VecDotFn = float (*)(const void* w, const void* a, int64_t n);
using QuantizeActFn = void (*)(const float* x, void* blocks, int64_t n, Rounding r);

struct QuantTraits {
  DType dtype;
  const char* name;             // as GGUF tools print it: "Q4_K"
  int64_t block_size;           // values per block
  int64_t block_bytes;          // bytes per block
  DType vec_dot_type;           // activation format of vec_dot_ref (itself for Q8_1, Q8_K)
  QuantizeRowFn quantize_row;
  DequantizeRowFn dequantize_row;
  VecDotFn vec_dot_ref;         // nullptr for Q8_1 and Q8_K
  QuantizeActFn quantize_act;   // non-null only for Q8_0, Q8_1, Q8_K
};

// The row for `t`, or nullptr when t is not a quantized format this build implements.
const QuantTraits* GetQuantTraits(DType t);

// Every row, for tests and tools to iterate.
std::span<const QuantTraits> AllQuantTraits();

}  // namespace miaotui::quant
