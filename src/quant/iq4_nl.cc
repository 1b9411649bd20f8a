#include "quant/iq4_nl.h"

#include "base/half.h"
#include "quant/block_io.h"
#include "quant/iq4_search.h"

namespace miaotui::quant {

void QuantizeIq4NlRow(const float* x, void* blocks, int64_t n) {
  QuantizeIq4NlRowWeighted(x, blocks, n, nullptr);
}

void QuantizeIq4NlRowWeighted(const float* x, void* blocks, int64_t n, const float* importance) {
  QuantizeBlocksWeighted<BlockIq4Nl>(
      x, importance, blocks, n, kBlock32, [](const float* xb, const float* imp, BlockIq4Nl* b) {
        QuantizeIq4SuperBlock(kBlock32, xb, &b->d, b->qs, nullptr, nullptr, imp);
      });
}

void UnpackIq4Nl(const uint8_t* block, Block32Ints* out) {
  const auto b = LoadBlock<BlockIq4Nl>(block);
  UnpackIq4Values32(b.qs, out->q);
  out->d = HalfToFloat(b.d);
  out->has_min = false;
}

void DequantizeIq4NlRow(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockIq4Nl), UnpackIq4Nl, y, n);
}

float DotIq4NlQ8_0(const void* w, const void* a, int64_t n) {
  return DotBlock32Q8_0Row(w, sizeof(BlockIq4Nl), UnpackIq4Nl, a, n);
}

}  // namespace miaotui::quant
