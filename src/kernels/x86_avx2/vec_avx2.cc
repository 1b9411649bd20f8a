// AVX2 vector kernels (conversions, Dot, Axpy) and the AVX2 kernel table. Tails go through
// zero-padded stack copies, so nothing past n is read or written. float -> F16 uses vcvtps2ph
// with round-to-nearest-even and rewrites NaN lanes to base/half.h's quiet NaN; float -> BF16
// rounds in integer arithmetic: both are bit-identical to the scalar code.
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/quant_internal.h"
#include "kernels/x86_avx2/simd_avx2.h"

namespace miaotui::kernels::internal::avx2 {
namespace {

template <DType T>
void ToF32T(const void* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, Load8<T>(src, i));
  if (i < n) {
    alignas(32) float tail[8];
    _mm256_store_ps(tail, Load8Partial<T>(src, i, n - i));
    std::memcpy(dst + i, tail, static_cast<size_t>(n - i) * sizeof(float));
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

inline __m128i ToHalf8(__m256 v) {
  const __m128i h = _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256i nan32 = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  const __m128i nan16 =
      _mm_packs_epi32(_mm256_castsi256_si128(nan32), _mm256_extracti128_si256(nan32, 1));
  const __m128i quiet =
      _mm_or_si128(_mm_and_si128(h, _mm_set1_epi16(-32768)), _mm_set1_epi16(0x7e00));
  return _mm_blendv_epi8(h, quiet, nan16);
}

inline __m128i ToBf16x8(__m256 v) {
  const __m256i u = _mm256_castps_si256(v);
  const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
  const __m256i rounded =
      _mm256_srli_epi32(_mm256_add_epi32(u, _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff))), 16);
  const __m256i quiet = _mm256_or_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(64));
  const __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  const __m256i r = _mm256_blendv_epi8(rounded, quiet, nan);
  // Every lane is < 65536, so unsigned saturation is exact; pack then gather the two halves.
  const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(r, r), 0x08);
  return _mm256_castsi256_si128(packed);
}

void FromF32(DType t, const float* src, void* dst, int64_t n) {
  if (t == DType::kF32) {
    if (n > 0) std::memmove(dst, src, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  uint16_t* d = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; i += 8) {
    const int64_t count = n - i < 8 ? n - i : 8;
    const __m256 v =
        count == 8 ? _mm256_loadu_ps(src + i) : Load8Partial<DType::kF32>(src, i, count);
    const __m128i h = t == DType::kF16 ? ToHalf8(v) : ToBf16x8(v);
    if (count == 8) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i), h);
    } else {
      alignas(16) uint16_t tail[8];
      _mm_store_si128(reinterpret_cast<__m128i*>(tail), h);
      std::memcpy(d + i, tail, static_cast<size_t>(count) * 2);
    }
  }
}

template <DType T>
float DotT(const float* a, const void* b, int64_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), Load8<T>(b, i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), Load8<T>(b, i + 8), s1);
  }
  for (; i < n; i += 8) {
    const int64_t count = n - i;
    const __m256 va = count >= 8 ? _mm256_loadu_ps(a + i) : Load8Partial<DType::kF32>(a, i, count);
    const __m256 vb = count >= 8 ? Load8<T>(b, i) : Load8Partial<T>(b, i, count);
    s0 = _mm256_fmadd_ps(va, vb, s0);
  }
  return HorizontalSum(_mm256_add_ps(s0, s1));
}

float Dot(const float* a, const void* b, DType btype, int64_t n) {
  return btype == DType::kF16 ? DotT<DType::kF16>(a, b, n) : DotT<DType::kF32>(a, b, n);
}

template <DType T>
void AxpyT(float alpha, const void* x, float* y, int64_t n) {
  const __m256 va = _mm256_set1_ps(alpha);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, Load8<T>(x, i), _mm256_loadu_ps(y + i)));
  }
  if (i < n) {
    alignas(32) float tail[8];
    const __m256 vy = Load8Partial<DType::kF32>(y, i, n - i);
    _mm256_store_ps(tail, _mm256_fmadd_ps(va, Load8Partial<T>(x, i, n - i), vy));
    std::memcpy(y + i, tail, static_cast<size_t>(n - i) * sizeof(float));
  }
}

void Axpy(float alpha, const void* x, DType xtype, float* y, int64_t n) {
  if (xtype == DType::kF16) return AxpyT<DType::kF16>(alpha, x, y, n);
  AxpyT<DType::kF32>(alpha, x, y, n);
}

}  // namespace
}  // namespace miaotui::kernels::internal::avx2

namespace miaotui::kernels::internal {

const KernelTable& Avx2Table() {
  static const KernelTable table = {avx2::MatMul, avx2::ToF32, avx2::FromF32, avx2::Dot,
                                    avx2::Axpy, avx2::QuantMatMul};
  return table;
}

}  // namespace miaotui::kernels::internal
