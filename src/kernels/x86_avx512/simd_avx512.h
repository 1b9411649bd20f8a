// Internal to kernels/x86_avx512: AVX-512 load helpers shared by the translation units in this
// folder, and the entry points they export to each other. Contains intrinsics: include ONLY from
// files compiled with MIAOTUI_AVX512_FLAGS.
#pragma once

// GCC 12's AVX-512 headers trip -Wuninitialized on their own _mm512_undefined_* temporaries
// (GCC PR 105593, fixed in 12.3); the warning is in the header, so silence it there only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cstdint>

#include "tensor/dtype.h"

namespace miaotui::kernels::internal::avx512 {

// Mask selecting the first `n` of 16 lanes (n >= 16 selects all).
inline __mmask16 FirstLanes(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1);
}

// 16 elements of type T starting at element i of p, widened to float32.
template <DType T>
inline __m512 Load16(const void* p, int64_t i) {
  if constexpr (T == DType::kF32) {
    return _mm512_loadu_ps(static_cast<const float*>(p) + i);
  } else {
    __m256i h =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(p) + i));
    if constexpr (T == DType::kF16) {
      return _mm512_cvtph_ps(h);
    } else {
      return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
  }
}

// As Load16, but only the lanes in `mask` are read (the others are 0 and may lie past the end).
template <DType T>
inline __m512 Load16Masked(const void* p, int64_t i, __mmask16 mask) {
  if constexpr (T == DType::kF32) {
    return _mm512_maskz_loadu_ps(mask, static_cast<const float*>(p) + i);
  } else {
    __m256i h = _mm256_maskz_loadu_epi16(mask, static_cast<const uint16_t*>(p) + i);
    if constexpr (T == DType::kF16) {
      return _mm512_cvtph_ps(h);
    } else {
      return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
  }
}

// Packed-panel GEMM for larger m (gemm_avx512.cc); same contract as MatMul.
void GemmPacked(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                int64_t o_begin, int64_t o_end, float* y, int64_t ldy);
// Direct (unpacked) kernel for small m, GEMV included (matmul_avx512.cc).
void MatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
            int64_t o_begin, int64_t o_end, float* y, int64_t ldy);

}  // namespace miaotui::kernels::internal::avx512
