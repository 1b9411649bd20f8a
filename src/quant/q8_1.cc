#include "quant/q8_1.h"

#include <cstring>

#include "base/half.h"
#include "quant/block32.h"
#include "quant/block_io.h"
#include "quant/q8_0.h"

namespace miaotui::quant {
namespace {

void UnpackQ8_1(const uint8_t* block, Block32Ints* out) {
  const auto b = LoadBlock<BlockQ8_1>(block);
  out->d = HalfToFloat(b.d);
  out->has_min = false;
  std::memcpy(out->q, b.qs, sizeof(b.qs));
}

}  // namespace

void QuantizeQ8_1Activations(const float* x, void* blocks, int64_t n, Rounding r) {
  QuantizeBlocks<BlockQ8_1>(x, blocks, n, kBlock32, [r](const float* xb, BlockQ8_1* b) {
    const float d = QuantizeQ8Block32(xb, b->qs, r);
    int sum = 0;
    for (int8_t q : b->qs) sum += q;
    b->d = FloatToHalf(d);
    b->s = FloatToHalf(static_cast<float>(sum) * d);
  });
}

void QuantizeQ8_1Row(const float* x, void* blocks, int64_t n) {
  QuantizeQ8_1Activations(x, blocks, n, Rounding::kHalfAwayFromZero);
}

void DequantizeQ8_1Row(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockQ8_1), UnpackQ8_1, y, n);
}

}  // namespace miaotui::quant
