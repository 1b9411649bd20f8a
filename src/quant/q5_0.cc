#include "quant/q5_0.h"

#include "base/half.h"
#include "quant/block_io.h"

namespace miaotui::quant {

void QuantizeQ5_0Row(const float* x, void* blocks, int64_t n) {
  QuantizeBlocks<BlockQ5_0>(x, blocks, n, kBlock32, [](const float* xb, BlockQ5_0* b) {
    uint8_t l[kBlock32];
    b->d = FloatToHalf(QuantizeSymmetric32(xb, 32, l));
    PackFiveBits32(l, b->qh, b->qs);
  });
}

void UnpackQ5_0(const uint8_t* block, Block32Ints* out) {
  const auto b = LoadBlock<BlockQ5_0>(block);
  UnpackLevels32(b.qs, b.qh, -16, out->q);
  out->d = HalfToFloat(b.d);
  out->has_min = false;
}

void DequantizeQ5_0Row(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockQ5_0), UnpackQ5_0, y, n);
}

float DotQ5_0Q8_0(const void* w, const void* a, int64_t n) {
  return DotBlock32Q8_0Row(w, sizeof(BlockQ5_0), UnpackQ5_0, a, n);
}

}  // namespace miaotui::quant
