// Elementwise activations over float32 arrays, vectorized (AVX-512) with a scalar reference:
//   SiluMul: y = a / (1 + exp(-a)) * b          (SwiGLU)
//   Gelu:    y = 0.5 a (1 + erf(a / sqrt 2))    (erf form, BERT)
//            y = 0.5 a (1 + tanh(sqrt(2/pi) (a + 0.044715 a^3)))   (tanh form, GPT-2)
//   Tanh:    y = tanh(a)
//   Softmax: x = exp(scale x - m) / sum_j exp(scale x_j - m), m = max_j scale x_j, in place
//            (one attention row; a row holding a NaN gives NaNs)
// The vector paths use polynomial exp/erf approximations accurate to a few float ulps (erf to
// about 1.5e-7 absolute); tests bound them against the reference, which uses the C library.
// y may alias a (and b). Pure functions: any thread, any range.
#pragma once

#include <cstdint>

#include "kernels/isa.h"

namespace miaotui::kernels {

void SiluMul(const float* a, const float* b, float* y, int64_t n);
void Gelu(const float* a, float* y, int64_t n, bool tanh_form);
void Tanh(const float* a, float* y, int64_t n);
void Softmax(float* x, int64_t n, float scale);

void SiluMulIsa(Isa isa, const float* a, const float* b, float* y, int64_t n);
void GeluIsa(Isa isa, const float* a, float* y, int64_t n, bool tanh_form);
void TanhIsa(Isa isa, const float* a, float* y, int64_t n);
void SoftmaxIsa(Isa isa, float* x, int64_t n, float scale);

namespace internal::avx512 {
void SiluMul(const float* a, const float* b, float* y, int64_t n);
void Gelu(const float* a, float* y, int64_t n, bool tanh_form);
void Tanh(const float* a, float* y, int64_t n);
void Softmax(float* x, int64_t n, float scale);
}  // namespace internal::avx512

}  // namespace miaotui::kernels
