#include "kernels/activation.h"

#include <algorithm>
#include <cmath>

namespace miaotui::kernels {
namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kInvSqrt2 = 0.7071067811865476f;

void SiluMulRef(const float* a, const float* b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = a[i] / (1.0f + std::exp(-a[i])) * b[i];
}

void GeluRef(const float* a, float* y, int64_t n, bool tanh_form) {
  for (int64_t i = 0; i < n; ++i) {
    const float x = a[i];
    y[i] = tanh_form ? 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x)))
                     : 0.5f * x * (1.0f + std::erf(x * kInvSqrt2));
  }
}

void TanhRef(const float* a, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(a[i]);
}

void SoftmaxRef(float* x, int64_t n, float scale) {
  float m = -INFINITY;
  for (int64_t i = 0; i < n; ++i) m = std::isnan(x[i]) ? x[i] : std::max(m, scale * x[i]);
  float sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += (x[i] = std::exp(scale * x[i] - m));
  const float inv = 1.0f / sum;
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

bool UseAvx512(Isa isa) {
#ifdef MIAOTUI_KERNELS_X86
  return isa == Isa::kAvx512;
#else
  return false;
#endif
}

}  // namespace

void SiluMulIsa(Isa isa, const float* a, const float* b, float* y, int64_t n) {
#ifdef MIAOTUI_KERNELS_X86
  if (UseAvx512(isa)) return internal::avx512::SiluMul(a, b, y, n);
#endif
  SiluMulRef(a, b, y, n);
}

void GeluIsa(Isa isa, const float* a, float* y, int64_t n, bool tanh_form) {
#ifdef MIAOTUI_KERNELS_X86
  if (UseAvx512(isa)) return internal::avx512::Gelu(a, y, n, tanh_form);
#endif
  GeluRef(a, y, n, tanh_form);
}

void TanhIsa(Isa isa, const float* a, float* y, int64_t n) {
#ifdef MIAOTUI_KERNELS_X86
  if (UseAvx512(isa)) return internal::avx512::Tanh(a, y, n);
#endif
  TanhRef(a, y, n);
}

void SoftmaxIsa(Isa isa, float* x, int64_t n, float scale) {
#ifdef MIAOTUI_KERNELS_X86
  if (UseAvx512(isa)) return internal::avx512::Softmax(x, n, scale);
#endif
  SoftmaxRef(x, n, scale);
}

void SiluMul(const float* a, const float* b, float* y, int64_t n) {
  SiluMulIsa(ActiveIsa(), a, b, y, n);
}
void Gelu(const float* a, float* y, int64_t n, bool tanh_form) {
  GeluIsa(ActiveIsa(), a, y, n, tanh_form);
}
void Tanh(const float* a, float* y, int64_t n) { TanhIsa(ActiveIsa(), a, y, n); }
void Softmax(float* x, int64_t n, float scale) { SoftmaxIsa(ActiveIsa(), x, n, scale); }

}  // namespace miaotui::kernels
