#include "quant/q8_k.h"

#include <cmath>

#include "base/check.h"
#include "quant/block_io.h"
#include "quant/k_block.h"

namespace miaotui::quant {

void QuantizeQ8_KActivations(const float* x, void* blocks, int64_t n, Rounding r) {
  QuantizeBlocks<BlockQ8_K>(x, blocks, n, kQK_K, [r](const float* xb, BlockQ8_K* b) {
    float amax = 0, max = 0;
    for (int j = 0; j < kQK_K; ++j) {
      if (std::fabs(xb[j]) > amax) {
        amax = std::fabs(xb[j]);
        max = xb[j];
      }
    }
    if (amax == 0) return;  // all zeros: d = 0, qs = 0, bsums = 0
    const float iscale = -127.f / max;
    for (int j = 0; j < kQK_K; ++j) {
      const int v = RoundToInt(iscale * xb[j], r);
      b->qs[j] = static_cast<int8_t>(v < 127 ? v : 127);
    }
    for (int j = 0; j < kQK_K / 16; ++j) {
      int sum = 0;
      for (int k = 0; k < 16; ++k) sum += b->qs[16 * j + k];
      b->bsums[j] = static_cast<int16_t>(sum);
    }
    b->d = 1 / iscale;
  });
}

void QuantizeQ8_KRow(const float* x, void* blocks, int64_t n) {
  QuantizeQ8_KActivations(x, blocks, n, Rounding::kHalfToEven);
}

void DequantizeQ8_KRow(const void* blocks, float* y, int64_t n) {
  DCHECK(n % kQK_K == 0);
  const auto* p = static_cast<const uint8_t*>(blocks);
  for (int64_t i = 0; i < n / kQK_K; ++i, p += sizeof(BlockQ8_K), y += kQK_K) {
    const auto b = LoadBlock<BlockQ8_K>(p);
    for (int j = 0; j < kQK_K; ++j) y[j] = b.d * b.qs[j];
  }
}

}  // namespace miaotui::quant
