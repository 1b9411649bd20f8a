#include "quant/iq4_xs.h"

#include "base/half.h"
#include "quant/block_io.h"
#include "quant/iq4_search.h"

namespace miaotui::quant {

void QuantizeIq4XsRow(const float* x, void* blocks, int64_t n) {
  QuantizeIq4XsRowWeighted(x, blocks, n, nullptr);
}

void QuantizeIq4XsRowWeighted(const float* x, void* blocks, int64_t n, const float* importance) {
  QuantizeBlocksWeighted<BlockIq4Xs>(
      x, importance, blocks, n, kQK_K, [](const float* xb, const float* imp, BlockIq4Xs* b) {
        QuantizeIq4SuperBlock(kQK_K, xb, &b->d, b->qs, &b->scales_h, b->scales_l, imp);
      });
}

void UnpackIq4Xs(const uint8_t* block, KBlockInts* out) {
  const auto b = LoadBlock<BlockIq4Xs>(block);
  out->d = HalfToFloat(b.d);
  out->dmin = 0;
  out->sub_size = 32;
  for (int j = 0; j < 8; ++j) {
    const int low = (b.scales_l[j / 2] >> (4 * (j % 2))) & 0xF;
    const int high = (b.scales_h >> (2 * j)) & 3;
    out->sc[j] = static_cast<int16_t>((low | (high << 4)) - 32);
    out->m[j] = 0;
    UnpackIq4Values32(b.qs + 16 * j, out->q + 32 * j);
  }
}

void DequantizeIq4XsRow(const void* blocks, float* y, int64_t n) {
  DequantizeKBlockRow(blocks, sizeof(BlockIq4Xs), UnpackIq4Xs, y, n);
}

float DotIq4XsQ8_K(const void* w, const void* a, int64_t n) {
  return DotKBlockQ8_KRow(w, sizeof(BlockIq4Xs), UnpackIq4Xs, a, n);
}

}  // namespace miaotui::quant
