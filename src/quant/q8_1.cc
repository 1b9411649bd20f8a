#include "quant/q8_1.h"

#include <cstring>

#include "base/check.h"
#include "base/half.h"
#include "quant/block32.h"
#include "quant/q8_0.h"

namespace miaotui::quant {

void QuantizeQ8_1Activations(const float* x, void* blocks, int64_t n, Rounding r) {
  DCHECK(n % kBlock32 == 0);
  auto* out = static_cast<uint8_t*>(blocks);
  for (int64_t i = 0; i < n / kBlock32; ++i, x += kBlock32, out += sizeof(BlockQ8_1)) {
    BlockQ8_1 b;
    const float d = QuantizeQ8Block32(x, b.qs, r);
    int sum = 0;
    for (int j = 0; j < kBlock32; ++j) sum += b.qs[j];
    b.d = FloatToHalf(d);
    b.s = FloatToHalf(static_cast<float>(sum) * d);
    std::memcpy(out, &b, sizeof(b));
  }
}

void QuantizeQ8_1Row(const float* x, void* blocks, int64_t n) {
  QuantizeQ8_1Activations(x, blocks, n, Rounding::kHalfAwayFromZero);
}

namespace {

void UnpackQ8_1(const uint8_t* block, Block32Ints* out) {
  BlockQ8_1 b;
  std::memcpy(&b, block, sizeof(b));
  out->d = HalfToFloat(b.d);
  out->has_min = false;
  std::memcpy(out->q, b.qs, sizeof(b.qs));
}

}  // namespace

void DequantizeQ8_1Row(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockQ8_1), UnpackQ8_1, y, n);
}

}  // namespace miaotui::quant
