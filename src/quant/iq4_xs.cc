#include "quant/iq4_xs.h"

#include <cstring>

#include "base/check.h"
#include "base/half.h"
#include "quant/block32.h"
#include "quant/iq4_search.h"

namespace miaotui::quant {

void QuantizeIq4XsRow(const float* x, void* blocks, int64_t n) {
  DCHECK(n % kQK_K == 0);
  auto* out = static_cast<uint8_t*>(blocks);
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K, out += sizeof(BlockIq4Xs)) {
    BlockIq4Xs b;
    QuantizeIq4SuperBlock(kQK_K, x, &b.d, b.qs, &b.scales_h, b.scales_l);
    std::memcpy(out, &b, sizeof(b));
  }
}

void UnpackIq4Xs(const uint8_t* block, KBlockInts* out) {
  BlockIq4Xs b;
  std::memcpy(&b, block, sizeof(b));
  out->d = HalfToFloat(b.d);
  out->dmin = 0;
  out->sub_size = 32;
  for (int j = 0; j < 8; ++j) {
    const int ls = ((b.scales_l[j / 2] >> (4 * (j % 2))) & 0xF) | (((b.scales_h >> (2 * j)) & 3) << 4);
    out->sc[j] = static_cast<int16_t>(ls - 32);
    out->m[j] = 0;
    uint8_t l[kBlock32];
    UnpackNibbles32(b.qs + 16 * j, l);
    for (int k = 0; k < kBlock32; ++k) out->q[32 * j + k] = kIq4NlValues[l[k]];
  }
}

void DequantizeIq4XsRow(const void* blocks, float* y, int64_t n) {
  DequantizeKBlockRow(blocks, sizeof(BlockIq4Xs), UnpackIq4Xs, y, n);
}

float DotIq4XsQ8_K(const void* w, const void* a, int64_t n) {
  return DotKBlockQ8_KRow(w, sizeof(BlockIq4Xs), UnpackIq4Xs, a, n);
}

}  // namespace miaotui::quant
