// Internal to kernels/: quantized-weight MatMul plumbing shared by the scalar reference and the
// x86 kernels. Contains no intrinsics (safe from baseline-compiled files).
//
// Contract of every QuantMatMul* below: the MatMul contract (matmul.h) for a weight type with a
// quant::QuantTraits row and a vec_dot_ref. Each activation row is quantized once per call to
// the weight type's activation format (Q8_0, Q8_1 or Q8_K) with round-half-to-even, exactly as
// quant::QuantizeActivations does (llama.cpp's x86 path), then multiplied with integer dot
// products. REQUIRES: k % block_size == 0.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tensor/dtype.h"

namespace miaotui::kernels::internal {

// True for the weight types the quantized kernels handle (a QuantTraits row with vec_dot_ref).
bool IsQuantWeight(DType t);

// Activation rows quantized and laid out for SIMD kernels (structure of arrays per row):
//   qs(r)    k int8 values, 64-byte aligned.
//   d(r)     one float scale per activation block (32 values for Q8_0/Q8_1, 256 for Q8_K).
//   sum(r)   Q8_0/Q8_1: per 32-block the int32 sum of its qs (for weight offsets).
//   s(r)     Q8_1: per 32-block its stored F16 s (d * sum qs) widened to float.
//   bsums(r) Q8_K: per 16 values the int16 sum of their qs (16 per super-block).
// The values are exactly those of the quant/ activation blocks (QuantizeActivations).
struct QuantizedActs {
  DType type = DType::kQ8_0;
  int64_t rows = 0, k = 0, blocks = 0;
  const uint8_t* base = nullptr;
  size_t stride = 0, d_off = 0, sum_off = 0, s_off = 0, bsums_off = 0;

  const int8_t* qs(int64_t r) const { return reinterpret_cast<const int8_t*>(base + r * stride); }
  const float* d(int64_t r) const {
    return reinterpret_cast<const float*>(base + r * stride + d_off);
  }
  const int32_t* sum(int64_t r) const {
    return reinterpret_cast<const int32_t*>(base + r * stride + sum_off);
  }
  const float* s(int64_t r) const {
    return reinterpret_cast<const float*>(base + r * stride + s_off);
  }
  const int16_t* bsums(int64_t r) const {
    return reinterpret_cast<const int16_t*>(base + r * stride + bsums_off);
  }
};

// The layout of m rows of k values quantized to `act_type` (base left null; the rows need
// stride * rows bytes, 64-byte aligned). REQUIRES: act_type is Q8_0, Q8_1 or Q8_K; k % its
// block == 0.
QuantizedActs ActsLayout(DType act_type, int64_t m, int64_t k);
// Thread-local storage for `a` (valid until the next call on this thread), set as a.base.
void UseActsScratch(QuantizedActs* a);
// Scalar reference: fills a.base's rows from x (row stride ldx) with quant's quantize_act
// (round half to even) and a repack. A row holding a NaN or Inf gets NaN in every d, so every
// product with it is NaN.
void QuantizeActsRef(const QuantizedActs& a, const float* x, int64_t ldx);
// Quantizes m rows of x (row stride ldx) to `act_type` into thread-local storage with the
// scalar reference, valid until the next call on this thread.
QuantizedActs QuantizeActs(DType act_type, const float* x, int64_t m, int64_t k, int64_t ldx);

// Scalar reference: quant's quantize_act + vec_dot_ref per (row, column).
void QuantMatMulRef(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                    int64_t o_begin, int64_t o_end, float* y, int64_t ldy);

// Packed weights (packed.h), the MatMul contract with o_begin, o_end multiples of 16: the scalar
// reference unpacks each group and runs QuantMatMulRef on it.
void PackedMatMulRef(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w,
                     DType wtype, int64_t o_begin, int64_t o_end, float* y, int64_t ldy);

#if defined(MIAOTUI_KERNELS_X86)
namespace avx2 {
void QuantMatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                 int64_t o_begin, int64_t o_end, float* y, int64_t ldy);
}
namespace avx512 {
// Bit-identical to QuantizeActsRef (AVX-512: 16 values per instruction).
void QuantizeActsFast(const QuantizedActs& a, const float* x, int64_t ldx);
void QuantMatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                 int64_t o_begin, int64_t o_end, float* y, int64_t ldy);
// Packed weights: bit-identical integer sums, float scaling as documented in packed_avx512.cc.
void PackedMatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                  int64_t o_begin, int64_t o_end, float* y, int64_t ldy);
}
#endif

}  // namespace miaotui::kernels::internal
