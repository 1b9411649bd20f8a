// Internal to kernels/: the function table every ISA implementation exports, and the accessor
// for each. The dispatchers (matmul.cc, vec.cc) pick a table by Isa; nothing outside kernels/
// includes this header. Entries take already-validated arguments (the dispatchers CHECK them):
// wtype/t is F32, F16 or BF16 (Dot/Axpy: F32 or F16; qmatmul: a quantized type),
// o_begin <= o_end, n >= 0.
// This header contains no intrinsics, so it is safe to include from baseline-compiled files.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/isa.h"
#include "tensor/dtype.h"

namespace miaotui::kernels::internal {

struct KernelTable {
  void (*matmul)(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                 int64_t o_begin, int64_t o_end, float* y, int64_t ldy);
  void (*to_f32)(DType t, const void* src, float* dst, int64_t n);
  void (*from_f32)(DType t, const float* src, void* dst, int64_t n);
  float (*dot)(const float* a, const void* b, DType btype, int64_t n);
  void (*axpy)(float alpha, const void* x, DType xtype, float* y, int64_t n);
  // Quantized weights (quant_internal.h): wtype has a QuantTraits row with vec_dot_ref.
  void (*qmatmul)(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                  int64_t o_begin, int64_t o_end, float* y, int64_t ldy);
};

const KernelTable& RefTable();
#if defined(MIAOTUI_KERNELS_X86)
const KernelTable& Avx2Table();    // REQUIRES: GetCpuFeatures().HasAvx2Set()
const KernelTable& Avx512Table();  // REQUIRES: GetCpuFeatures().HasAvx512Set()
#endif

// Thread-local float32 scratch of at least n floats, 64-byte aligned, contents unspecified.
// `slot` (0..kScratchSlots-1) selects one of a few independent buffers; a pointer stays valid
// until the next call with the same slot on the same thread. Defined in a baseline-compiled file
// so that ISA translation units never instantiate shared inline code (allocation, containers)
// with ISA flags: the linker could otherwise keep that copy for baseline callers.
inline constexpr int kScratchSlots = 3;  // the last: quantized activations
float* ThreadScratch(int slot, size_t n);

// The table for `isa`. REQUIRES: isa is available on this CPU.
const KernelTable& TableFor(Isa isa);

}  // namespace miaotui::kernels::internal
