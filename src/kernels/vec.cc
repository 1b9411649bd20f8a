// Vector-kernel dispatch: validates the element types once per call and forwards to the ISA's
// table.
#include "kernels/vec.h"

#include "base/check.h"
#include "kernels/kernel_table.h"
#include "quant/traits.h"

namespace miaotui::kernels {
namespace {

bool IsFloatType(DType t) { return t == DType::kF32 || t == DType::kF16 || t == DType::kBF16; }
bool IsDotType(DType t) { return t == DType::kF32 || t == DType::kF16; }

}  // namespace

void ToF32Isa(Isa isa, DType t, const void* src, float* dst, int64_t n) {
  if (const quant::QuantTraits* q = quant::GetQuantTraits(t)) {
    // Quantized rows (e.g. a quantized token_embd): ggml's scalar dequantizer, bit-exact.
    CHECK(n >= 0 && n % q->block_size == 0);
    return q->dequantize_row(src, dst, n);
  }
  CHECK(IsFloatType(t) && n >= 0);
  internal::TableFor(isa).to_f32(t, src, dst, n);
}

void FromF32Isa(Isa isa, DType t, const float* src, void* dst, int64_t n) {
  CHECK(IsFloatType(t) && n >= 0);
  internal::TableFor(isa).from_f32(t, src, dst, n);
}

float DotIsa(Isa isa, const float* a, const void* b, DType btype, int64_t n) {
  CHECK(IsDotType(btype) && n >= 0);
  return internal::TableFor(isa).dot(a, b, btype, n);
}

void AxpyIsa(Isa isa, float alpha, const void* x, DType xtype, float* y, int64_t n) {
  CHECK(IsDotType(xtype) && n >= 0);
  internal::TableFor(isa).axpy(alpha, x, xtype, y, n);
}

void ToF32(DType t, const void* src, float* dst, int64_t n) {
  ToF32Isa(ActiveIsa(), t, src, dst, n);
}
void FromF32(DType t, const float* src, void* dst, int64_t n) {
  FromF32Isa(ActiveIsa(), t, src, dst, n);
}
float Dot(const float* a, const void* b, DType btype, int64_t n) {
  return DotIsa(ActiveIsa(), a, b, btype, n);
}
void Axpy(float alpha, const void* x, DType xtype, float* y, int64_t n) {
  AxpyIsa(ActiveIsa(), alpha, x, xtype, y, n);
}

}  // namespace miaotui::kernels
