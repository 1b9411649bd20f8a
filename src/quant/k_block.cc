#include "quant/k_block.h"

#include <cstring>

#include "base/check.h"
#include "quant/q8_k.h"

namespace miaotui::quant {

void DequantizeKBlockRow(const void* blocks, size_t block_bytes, UnpackKBlockFn unpack, float* y,
                         int64_t n) {
  DCHECK(n % kQK_K == 0);
  const auto* p = static_cast<const uint8_t*>(blocks);
  KBlockInts b;
  for (int64_t i = 0; i < n / kQK_K; ++i, p += block_bytes) {
    unpack(p, &b);
    for (int j = 0; j < kQK_K / b.sub_size; ++j) {
      const float dl = b.d * b.sc[j];
      const float ml = b.dmin * b.m[j];
      for (int k = 0; k < b.sub_size; ++k, ++y) *y = dl * b.q[j * b.sub_size + k] - ml;
    }
  }
}

float DotKBlockQ8_KRow(const void* w, size_t block_bytes, UnpackKBlockFn unpack, const void* a,
                       int64_t n) {
  DCHECK(n % kQK_K == 0);
  const auto* p = static_cast<const uint8_t*>(w);
  const auto* pa = static_cast<const uint8_t*>(a);
  KBlockInts b;
  BlockQ8_K act;
  float sum = 0;
  for (int64_t i = 0; i < n / kQK_K; ++i, p += block_bytes, pa += sizeof(BlockQ8_K)) {
    unpack(p, &b);
    std::memcpy(&act, pa, sizeof(act));
    int64_t isum = 0, msum = 0;
    for (int j = 0; j < kQK_K / b.sub_size; ++j) {
      int64_t s = 0;
      for (int k = j * b.sub_size; k < (j + 1) * b.sub_size; ++k) s += b.q[k] * act.qs[k];
      isum += b.sc[j] * s;
      int64_t bsum = 0;
      for (int k = j * b.sub_size / 16; k < (j + 1) * b.sub_size / 16; ++k) bsum += act.bsums[k];
      msum += b.m[j] * bsum;
    }
    sum += (b.d * act.d) * static_cast<float>(isum) - (b.dmin * act.d) * static_cast<float>(msum);
  }
  return sum;
}

}  // namespace miaotui::quant
