#include "quant/q4_0.h"

#include "base/half.h"
#include "quant/block_io.h"

namespace miaotui::quant {

void QuantizeQ4_0Row(const float* x, void* blocks, int64_t n) {
  QuantizeBlocks<BlockQ4_0>(x, blocks, n, kBlock32, [](const float* xb, BlockQ4_0* b) {
    uint8_t l[kBlock32];
    b->d = FloatToHalf(QuantizeSymmetric32(xb, 16, l));
    PackNibbles32(l, b->qs);
  });
}

void UnpackQ4_0(const uint8_t* block, Block32Ints* out) {
  const auto b = LoadBlock<BlockQ4_0>(block);
  UnpackLevels32(b.qs, nullptr, -8, out->q);
  out->d = HalfToFloat(b.d);
  out->has_min = false;
}

void DequantizeQ4_0Row(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockQ4_0), UnpackQ4_0, y, n);
}

float DotQ4_0Q8_0(const void* w, const void* a, int64_t n) {
  return DotBlock32Q8_0Row(w, sizeof(BlockQ4_0), UnpackQ4_0, a, n);
}

}  // namespace miaotui::quant
