// AVX-512 vector kernels (conversions, Dot, Axpy) and the AVX-512 kernel table. Tails use masked
// loads and stores, so nothing past n is read or written. float -> F16 uses vcvtps2ph with
// round-to-nearest-even; NaN lanes are rewritten to base/half.h's quiet NaN (sign | 0x7e00) and
// float -> BF16 rounds in integer arithmetic, so both are bit-identical to the scalar code.
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/quant_internal.h"
#include "kernels/x86_avx512/simd_avx512.h"

namespace miaotui::kernels::internal::avx512 {
namespace {

template <DType T>
void ToF32T(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = FirstLanes(n - i);
    _mm512_mask_storeu_ps(dst + i, mask, Load16Masked<T>(src, i, mask));
  }
}

void ToF32(DType t, const void* src, float* dst, int64_t n) {
  switch (t) {
    case DType::kF16:
      return ToF32T<DType::kF16>(src, dst, n);
    case DType::kBF16:
      return ToF32T<DType::kBF16>(src, dst, n);
    default:
      if (n > 0) std::memmove(dst, src, static_cast<size_t>(n) * sizeof(float));
  }
}

inline __m256i ToHalf16(__m512 v) {
  __m256i h = _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
  const __m256i quiet =
      _mm256_or_si256(_mm256_and_si256(h, _mm256_set1_epi16(-32768)), _mm256_set1_epi16(0x7e00));
  return _mm256_mask_blend_epi16(nan, h, quiet);
}

inline __m256i ToBf16x16(__m512 v) {
  const __m512i u = _mm512_castps_si512(v);
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  const __m512i rounded =
      _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7fff))), 16);
  const __m512i quiet = _mm512_or_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(64));
  const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
  return _mm512_cvtepi32_epi16(_mm512_mask_blend_epi32(nan, rounded, quiet));
}

void FromF32(DType t, const float* src, void* dst, int64_t n) {
  if (t == DType::kF32) {
    if (n > 0) std::memmove(dst, src, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  uint16_t* d = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = FirstLanes(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(mask, src + i);
    _mm256_mask_storeu_epi16(d + i, mask, t == DType::kF16 ? ToHalf16(v) : ToBf16x16(v));
  }
}

template <DType T>
float DotT(const float* a, const void* b, int64_t n) {
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), Load16<T>(b, i), s0);
    s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), Load16<T>(b, i + 16), s1);
  }
  for (; i < n; i += 16) {
    const __mmask16 mask = FirstLanes(n - i);
    s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, a + i), Load16Masked<T>(b, i, mask), s0);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

float Dot(const float* a, const void* b, DType btype, int64_t n) {
  return btype == DType::kF16 ? DotT<DType::kF16>(a, b, n) : DotT<DType::kF32>(a, b, n);
}

template <DType T>
void AxpyT(float alpha, const void* x, float* y, int64_t n) {
  const __m512 va = _mm512_set1_ps(alpha);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = FirstLanes(n - i);
    const __m512 r =
        _mm512_fmadd_ps(va, Load16Masked<T>(x, i, mask), _mm512_maskz_loadu_ps(mask, y + i));
    _mm512_mask_storeu_ps(y + i, mask, r);
  }
}

void Axpy(float alpha, const void* x, DType xtype, float* y, int64_t n) {
  if (xtype == DType::kF16) return AxpyT<DType::kF16>(alpha, x, y, n);
  AxpyT<DType::kF32>(alpha, x, y, n);
}

}  // namespace
}  // namespace miaotui::kernels::internal::avx512

namespace miaotui::kernels::internal {

const KernelTable& Avx512Table() {
  static const KernelTable table = {avx512::MatMul, avx512::ToF32, avx512::FromF32, avx512::Dot,
                                    avx512::Axpy, avx512::QuantMatMul};
  return table;
}

}  // namespace miaotui::kernels::internal
