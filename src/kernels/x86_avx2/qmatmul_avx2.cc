// Quantized MatMul, AVX2 (vpmaddubsw + vpmaddwd): the contract of quant_internal.h. The kernels are
// shared with the other x86 ISA as textually included files (kernels/x86_quant/*.inc), compiled
// here, inside this ISA's namespace, with this folder's flags.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/quant_internal.h"
#include "quant/iq4_search.h"
#include "quant/traits.h"

#define MIAOTUI_QK_AVX512 0

namespace miaotui::kernels::internal::avx2 {
namespace {

#include "kernels/x86_quant/qdot_common.inc"
#include "kernels/x86_quant/legacy32.inc"
#include "kernels/x86_quant/kquants.inc"

}  // namespace

#include "kernels/x86_quant/qmatmul_driver.inc"

}  // namespace miaotui::kernels::internal::avx2
