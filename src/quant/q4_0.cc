#include "quant/q4_0.h"

#include <cstring>

#include "base/check.h"
#include "base/half.h"

namespace miaotui::quant {

void QuantizeQ4_0Row(const float* x, void* blocks, int64_t n) {
  DCHECK(n % kBlock32 == 0);
  auto* out = static_cast<uint8_t*>(blocks);
  uint8_t l[kBlock32];
  for (int64_t i = 0; i < n / kBlock32; ++i, x += kBlock32, out += sizeof(BlockQ4_0)) {
    BlockQ4_0 b;
    b.d = FloatToHalf(QuantizeSymmetric32(x, 16, l));
    PackNibbles32(l, b.qs);
    std::memcpy(out, &b, sizeof(b));
  }
}

void UnpackQ4_0(const uint8_t* block, Block32Ints* out) {
  BlockQ4_0 b;
  std::memcpy(&b, block, sizeof(b));
  uint8_t l[kBlock32];
  UnpackNibbles32(b.qs, l);
  out->d = HalfToFloat(b.d);
  out->has_min = false;
  for (int j = 0; j < kBlock32; ++j) out->q[j] = static_cast<int8_t>(l[j] - 8);
}

void DequantizeQ4_0Row(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockQ4_0), UnpackQ4_0, y, n);
}

float DotQ4_0Q8_0(const void* w, const void* a, int64_t n) {
  return DotBlock32Q8_0Row(w, sizeof(BlockQ4_0), UnpackQ4_0, a, n);
}

}  // namespace miaotui::quant
