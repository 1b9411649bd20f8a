// Quantized MatMul, AVX-512 VNNI (vpdpbusd, vpdpwssd) on 32 ymm registers: the contract of quant_internal.h. The kernels are
// shared with the other x86 ISA as textually included files (kernels/x86_quant/*.inc), compiled
// here, inside this ISA's namespace, with this folder's flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "base/half.h"

#include "kernels/quant_internal.h"
#include "quant/iq4_search.h"
#include "quant/traits.h"

#define MIAOTUI_QK_AVX512 1

namespace miaotui::kernels::internal::avx512 {
namespace {

#include "kernels/x86_quant/qdot_common.inc"
#include "kernels/x86_quant/legacy32.inc"
#include "kernels/x86_quant/kquants.inc"

}  // namespace

#include "kernels/x86_quant/quant_act_avx512.inc"
#include "kernels/x86_quant/qmatmul_driver.inc"

}  // namespace miaotui::kernels::internal::avx512
