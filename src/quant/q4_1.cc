#include "quant/q4_1.h"

#include <cstring>

#include "base/check.h"
#include "base/half.h"

namespace miaotui::quant {

void QuantizeQ4_1Row(const float* x, void* blocks, int64_t n) {
  DCHECK(n % kBlock32 == 0);
  auto* out = static_cast<uint8_t*>(blocks);
  uint8_t l[kBlock32];
  for (int64_t i = 0; i < n / kBlock32; ++i, x += kBlock32, out += sizeof(BlockQ4_1)) {
    BlockQ4_1 b;
    float d, min;
    QuantizeAffine32(x, 16, l, &d, &min);
    b.d = FloatToHalf(d);
    b.m = FloatToHalf(min);
    PackNibbles32(l, b.qs);
    std::memcpy(out, &b, sizeof(b));
  }
}

void UnpackQ4_1(const uint8_t* block, Block32Ints* out) {
  BlockQ4_1 b;
  std::memcpy(&b, block, sizeof(b));
  uint8_t l[kBlock32];
  UnpackNibbles32(b.qs, l);
  out->d = HalfToFloat(b.d);
  out->m = HalfToFloat(b.m);
  out->has_min = true;
  for (int j = 0; j < kBlock32; ++j) out->q[j] = static_cast<int8_t>(l[j]);
}

void DequantizeQ4_1Row(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockQ4_1), UnpackQ4_1, y, n);
}

float DotQ4_1Q8_1(const void* w, const void* a, int64_t n) {
  return DotBlock32Q8_1Row(w, sizeof(BlockQ4_1), UnpackQ4_1, a, n);
}

}  // namespace miaotui::quant
