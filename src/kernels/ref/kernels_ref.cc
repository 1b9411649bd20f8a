// Scalar reference kernels: the oracle the SIMD kernels are tested against and the fallback on
// CPUs without AVX2. Plain C++ compiled for baseline x86-64 (or any target). Dot products use
// four float32 partial sums (k % 4 lanes, combined pairwise at the end), so results are
// deterministic and close to, but not bit-identical with, the SIMD kernels.
#include <cstring>

#include "base/half.h"
#include "kernels/kernel_table.h"
#include "kernels/quant_internal.h"

namespace miaotui::kernels::internal {
namespace {

inline float LoadAsF32(DType t, const void* p, int64_t i) {
  switch (t) {
    case DType::kF16:
      return HalfToFloat(static_cast<const uint16_t*>(p)[i]);
    case DType::kBF16:
      return Bf16ToFloat(static_cast<const uint16_t*>(p)[i]);
    default:
      return static_cast<const float*>(p)[i];
  }
}

float DotRef(const float* a, const void* b, DType btype, int64_t n) {
  float s[4] = {0.f, 0.f, 0.f, 0.f};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int j = 0; j < 4; ++j) s[j] += a[i + j] * LoadAsF32(btype, b, i + j);
  }
  for (; i < n; ++i) s[i & 3] += a[i] * LoadAsF32(btype, b, i);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

void MatMulRef(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
               int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
  const size_t row_bytes = RowBytes(wtype, k);
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t o = o_begin; o < o_end; ++o) {
      const void* wrow = static_cast<const uint8_t*>(w) + static_cast<size_t>(o) * row_bytes;
      y[r * ldy + o] = DotRef(x + r * ldx, wrow, wtype, k);
    }
  }
}

void ToF32Ref(DType t, const void* src, float* dst, int64_t n) {
  if (t == DType::kF32) {
    if (n > 0) std::memmove(dst, src, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  for (int64_t i = 0; i < n; ++i) dst[i] = LoadAsF32(t, src, i);
}

void FromF32Ref(DType t, const float* src, void* dst, int64_t n) {
  if (t == DType::kF32) {
    if (n > 0) std::memmove(dst, src, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  uint16_t* d = static_cast<uint16_t*>(dst);
  if (t == DType::kF16) {
    for (int64_t i = 0; i < n; ++i) d[i] = FloatToHalf(src[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) d[i] = FloatToBf16(src[i]);
  }
}

void AxpyRef(float alpha, const void* x, DType xtype, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * LoadAsF32(xtype, x, i);
}

}  // namespace

const KernelTable& RefTable() {
  static const KernelTable table = {MatMulRef, ToF32Ref, FromF32Ref, DotRef, AxpyRef,
                                    QuantMatMulRef};
  return table;
}

}  // namespace miaotui::kernels::internal
