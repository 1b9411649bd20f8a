// Internal to kernels/: walking one packed sparse row (sparse.h layouts) in column order, for
// the unpacker and the scalar reference, and the per-ISA GEMV entry points. No intrinsics.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include "kernels/sparse.h"

namespace miaotui::kernels::internal {

// Calls f(column, f16 bits) for every stored value of the row at p, in column order (2:4
// padding slots included: they hold +0).
template <typename F>
void ForEachNonzero(SparseLayout layout, const uint8_t* p, int64_t k, F&& f) {
  if (layout == SparseLayout::kUnstructured) {
    const int64_t blocks = (k + 15) / 16;
    const uint8_t* vals = p + 2 * blocks;
    for (int64_t b = 0; b < blocks; ++b) {
      uint16_t mask;
      std::memcpy(&mask, p + 2 * b, 2);
      for (uint32_t m = mask; m != 0; m &= m - 1) {
        uint16_t h;
        std::memcpy(&h, vals, 2);
        vals += 2;
        f(16 * b + std::countr_zero(m), h);
      }
    }
    return;
  }
  for (int64_t c = 0; c < (k + 31) / 32; ++c, p += 36) {
    uint32_t pos;
    std::memcpy(&pos, p, 4);
    for (int j = 0; j < 16; ++j) {
      const int64_t col = 32 * c + 4 * (j / 2) + ((pos >> (2 * j)) & 3);
      uint16_t h;
      std::memcpy(&h, p + 4 + 2 * j, 2);
      if (col < k) f(col, h);
    }
  }
}

void SparseGemvRef(const SparseMatrix& w, const float* x, int64_t o_begin, int64_t o_end,
                   float* y);
#if defined(MIAOTUI_KERNELS_X86)
// REQUIRES: GetCpuFeatures().HasAvx512Set().
void SparseGemvAvx512(const SparseMatrix& w, const float* x, int64_t o_begin, int64_t o_end,
                      float* y);
#endif

}  // namespace miaotui::kernels::internal
