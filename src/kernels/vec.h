// Small vector kernels used by ops (attention over the KV cache, conversions).
// All use ActiveIsa(); the *Isa variants exist for tests. Accumulation is float32.
#pragma once

#include <cstdint>

#include "kernels/isa.h"
#include "tensor/dtype.h"

namespace miaotui::kernels {

// Converts n elements of F32, F16 or BF16 to float32; also dequantizes any quantized format
// (quant/traits.h; n a multiple of its block size), bit-identical to ggml's to_float.
void ToF32(DType t, const void* src, float* dst, int64_t n);
// Converts n floats to F16 (round to nearest even) or BF16 or F32 (copy).
void FromF32(DType t, const float* src, void* dst, int64_t n);

// sum_i a[i] * b[i], b in F32 or F16.
float Dot(const float* a, const void* b, DType btype, int64_t n);
// y[i] += alpha * x[i], x in F32 or F16.
void Axpy(float alpha, const void* x, DType xtype, float* y, int64_t n);

float DotIsa(Isa isa, const float* a, const void* b, DType btype, int64_t n);
void AxpyIsa(Isa isa, float alpha, const void* x, DType xtype, float* y, int64_t n);
void ToF32Isa(Isa isa, DType t, const void* src, float* dst, int64_t n);
void FromF32Isa(Isa isa, DType t, const float* src, void* dst, int64_t n);

}  // namespace miaotui::kernels
