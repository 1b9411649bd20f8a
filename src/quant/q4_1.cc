#include "quant/q4_1.h"

#include "base/half.h"
#include "quant/block_io.h"

namespace miaotui::quant {

void QuantizeQ4_1Row(const float* x, void* blocks, int64_t n) {
  QuantizeBlocks<BlockQ4_1>(x, blocks, n, kBlock32, [](const float* xb, BlockQ4_1* b) {
    uint8_t l[kBlock32];
    float d, min;
    QuantizeAffine32(xb, 16, l, &d, &min);
    b->d = FloatToHalf(d);
    b->m = FloatToHalf(min);
    PackNibbles32(l, b->qs);
  });
}

void UnpackQ4_1(const uint8_t* block, Block32Ints* out) {
  const auto b = LoadBlock<BlockQ4_1>(block);
  UnpackLevels32(b.qs, nullptr, 0, out->q);
  out->d = HalfToFloat(b.d);
  out->m = HalfToFloat(b.m);
  out->has_min = true;
}

void DequantizeQ4_1Row(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockQ4_1), UnpackQ4_1, y, n);
}

float DotQ4_1Q8_1(const void* w, const void* a, int64_t n) {
  return DotBlock32Q8_1Row(w, sizeof(BlockQ4_1), UnpackQ4_1, a, n);
}

}  // namespace miaotui::quant
