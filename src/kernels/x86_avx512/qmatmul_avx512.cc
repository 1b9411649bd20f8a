// Quantized MatMul for avx512 (placeholder: the scalar reference).
#include "kernels/quant_internal.h"

namespace miaotui::kernels::internal::avx512 {

void QuantMatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                 int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
  QuantMatMulRef(x, m, k, ldx, w, wtype, o_begin, o_end, y, ldy);
}

}  // namespace miaotui::kernels::internal::avx512
