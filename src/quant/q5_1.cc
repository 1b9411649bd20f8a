#include "quant/q5_1.h"

#include "base/half.h"
#include "quant/block_io.h"

namespace miaotui::quant {

void QuantizeQ5_1Row(const float* x, void* blocks, int64_t n) {
  QuantizeBlocks<BlockQ5_1>(x, blocks, n, kBlock32, [](const float* xb, BlockQ5_1* b) {
    uint8_t l[kBlock32];
    float d, min;
    QuantizeAffine32(xb, 32, l, &d, &min);
    b->d = FloatToHalf(d);
    b->m = FloatToHalf(min);
    PackFiveBits32(l, b->qh, b->qs);
  });
}

void UnpackQ5_1(const uint8_t* block, Block32Ints* out) {
  const auto b = LoadBlock<BlockQ5_1>(block);
  UnpackLevels32(b.qs, b.qh, 0, out->q);
  out->d = HalfToFloat(b.d);
  out->m = HalfToFloat(b.m);
  out->has_min = true;
}

void DequantizeQ5_1Row(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockQ5_1), UnpackQ5_1, y, n);
}

float DotQ5_1Q8_1(const void* w, const void* a, int64_t n) {
  return DotBlock32Q8_1Row(w, sizeof(BlockQ5_1), UnpackQ5_1, a, n);
}

}  // namespace miaotui::quant
