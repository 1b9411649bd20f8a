// MatMul dispatch: validates the arguments once per call and forwards to the ISA's table
// (matmul for F32/F16/BF16 weights, qmatmul for quantized ones, the packed kernels of packed.h).
#include "kernels/matmul.h"

#include "base/check.h"
#include "kernels/kernel_table.h"
#include "kernels/packed.h"
#include "kernels/quant_internal.h"
#include "quant/traits.h"

namespace miaotui::kernels {

bool MatMulSupports(DType wtype) {
  return wtype == DType::kF32 || wtype == DType::kF16 || wtype == DType::kBF16 ||
         internal::IsQuantWeight(wtype) || IsPackedType(wtype);
}

void MatMulIsa(Isa isa, const float* x, int64_t m, int64_t k, int64_t ldx, const void* w,
               DType wtype, int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
  CHECK(MatMulSupports(wtype));
  CHECK(m >= 0 && k >= 0 && 0 <= o_begin && o_begin <= o_end);
  CHECK(m <= 1 || (ldx >= k && ldy >= o_end));
  if (m == 0 || o_begin == o_end) return;
  if (IsPackedType(wtype)) {
    CHECK(k % GetDTypeInfo(wtype).block_size == 0 && o_begin % kPackRows == 0 &&
          o_end % kPackRows == 0);
#if defined(MIAOTUI_KERNELS_X86)
    if (isa == Isa::kAvx512) {
      return internal::avx512::PackedMatMul(x, m, k, ldx, w, wtype, o_begin, o_end, y, ldy);
    }
#endif
    return internal::PackedMatMulRef(x, m, k, ldx, w, wtype, o_begin, o_end, y, ldy);
  }
  if (internal::IsQuantWeight(wtype)) {
    CHECK(k % quant::GetQuantTraits(wtype)->block_size == 0);
    return internal::TableFor(isa).qmatmul(x, m, k, ldx, w, wtype, o_begin, o_end, y, ldy);
  }
  internal::TableFor(isa).matmul(x, m, k, ldx, w, wtype, o_begin, o_end, y, ldy);
}

void MatMul(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
            int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
  MatMulIsa(ActiveIsa(), x, m, k, ldx, w, wtype, o_begin, o_end, y, ldy);
}

}  // namespace miaotui::kernels
