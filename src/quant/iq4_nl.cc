#include "quant/iq4_nl.h"

#include <cstring>

#include "base/check.h"
#include "base/half.h"
#include "quant/iq4_search.h"

namespace miaotui::quant {

void QuantizeIq4NlRow(const float* x, void* blocks, int64_t n) {
  DCHECK(n % kBlock32 == 0);
  auto* out = static_cast<uint8_t*>(blocks);
  for (int64_t i = 0; i < n / kBlock32; ++i, x += kBlock32, out += sizeof(BlockIq4Nl)) {
    BlockIq4Nl b;
    QuantizeIq4SuperBlock(kBlock32, x, &b.d, b.qs, nullptr, nullptr);
    std::memcpy(out, &b, sizeof(b));
  }
}

void UnpackIq4Nl(const uint8_t* block, Block32Ints* out) {
  BlockIq4Nl b;
  std::memcpy(&b, block, sizeof(b));
  uint8_t l[kBlock32];
  UnpackNibbles32(b.qs, l);
  out->d = HalfToFloat(b.d);
  out->has_min = false;
  for (int j = 0; j < kBlock32; ++j) out->q[j] = kIq4NlValues[l[j]];
}

void DequantizeIq4NlRow(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockIq4Nl), UnpackIq4Nl, y, n);
}

float DotIq4NlQ8_0(const void* w, const void* a, int64_t n) {
  return DotBlock32Q8_0Row(w, sizeof(BlockIq4Nl), UnpackIq4Nl, a, n);
}

}  // namespace miaotui::quant
