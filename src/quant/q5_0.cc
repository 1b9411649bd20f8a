#include "quant/q5_0.h"

#include <cstring>

#include "base/check.h"
#include "base/half.h"

namespace miaotui::quant {

void QuantizeQ5_0Row(const float* x, void* blocks, int64_t n) {
  DCHECK(n % kBlock32 == 0);
  auto* out = static_cast<uint8_t*>(blocks);
  uint8_t l[kBlock32];
  for (int64_t i = 0; i < n / kBlock32; ++i, x += kBlock32, out += sizeof(BlockQ5_0)) {
    BlockQ5_0 b;
    b.d = FloatToHalf(QuantizeSymmetric32(x, 32, l));
    PackHighBits32(l, b.qh);
    for (uint8_t& v : l) v &= 0x0f;
    PackNibbles32(l, b.qs);
    std::memcpy(out, &b, sizeof(b));
  }
}

void UnpackQ5_0(const uint8_t* block, Block32Ints* out) {
  BlockQ5_0 b;
  std::memcpy(&b, block, sizeof(b));
  uint8_t l[kBlock32];
  UnpackNibbles32(b.qs, l);
  AddHighBits32(b.qh, l);
  out->d = HalfToFloat(b.d);
  out->has_min = false;
  for (int j = 0; j < kBlock32; ++j) out->q[j] = static_cast<int8_t>(l[j] - 16);
}

void DequantizeQ5_0Row(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockQ5_0), UnpackQ5_0, y, n);
}

float DotQ5_0Q8_0(const void* w, const void* a, int64_t n) {
  return DotBlock32Q8_0Row(w, sizeof(BlockQ5_0), UnpackQ5_0, a, n);
}

}  // namespace miaotui::quant
