// Internal to kernels/x86_avx2: AVX2/FMA/F16C load helpers shared by this folder's translation
// units. Contains intrinsics: include ONLY from files compiled with MIAOTUI_AVX2_FLAGS.
// AVX2 has no 16-bit masked loads, so tails go through a zero-padded stack copy.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "tensor/dtype.h"

namespace miaotui::kernels::internal::avx2 {

template <DType T>
constexpr int64_t kElemBytes = T == DType::kF32 ? 4 : 2;

// 8 elements of type T starting at element i of p, widened to float32.
template <DType T>
inline __m256 Load8(const void* p, int64_t i) {
  if constexpr (T == DType::kF32) {
    return _mm256_loadu_ps(static_cast<const float*>(p) + i);
  } else {
    __m128i h =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(p) + i));
    if constexpr (T == DType::kF16) {
      return _mm256_cvtph_ps(h);
    } else {
      return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
  }
}

// The first `count` (< 8) elements from element i, zero-filled to 8; reads nothing past them.
template <DType T>
inline __m256 Load8Partial(const void* p, int64_t i, int64_t count) {
  alignas(32) uint8_t buf[32] = {};
  std::memcpy(buf, static_cast<const uint8_t*>(p) + i * kElemBytes<T>,
              static_cast<size_t>(count * kElemBytes<T>));
  return Load8<T>(buf, 0);
}

inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

void MatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
            int64_t o_begin, int64_t o_end, float* y, int64_t ldy);

}  // namespace miaotui::kernels::internal::avx2
