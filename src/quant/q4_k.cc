#include "quant/q4_k.h"

#include "base/half.h"
#include "quant/block_io.h"
#include "quant/k_quant_search.h"

namespace miaotui::quant {

void QuantizeQ4_KRow(const float* x, void* blocks, int64_t n) {
  QuantizeQ4_KRowWeighted(x, blocks, n, nullptr);
}

void QuantizeQ4_KRowWeighted(const float* x, void* blocks, int64_t n, const float* importance) {
  QuantizeBlocksWeighted<BlockQ4_K>(
      x, importance, blocks, n, kQK_K, [](const float* xb, const float* imp, BlockQ4_K* b) {
        uint8_t L[kQK_K];
        QuantizeK4Scales(xb, 15, -1.f, 20, &b->d, &b->dmin, b->scales, L, imp);
        Pack4BitQuants(L, b->qs);
      });
}

void UnpackK4Scales(uint16_t d, uint16_t dmin, const uint8_t* scales, KBlockInts* out) {
  out->d = HalfToFloat(d);
  out->dmin = HalfToFloat(dmin);
  out->sub_size = 32;
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    GetScaleMinK4(j, scales, &sc, &m);
    out->sc[j] = sc;
    out->m[j] = m;
  }
}

void UnpackQ4_K(const uint8_t* block, KBlockInts* out) {
  const auto b = LoadBlock<BlockQ4_K>(block);
  UnpackK4Scales(b.d, b.dmin, b.scales, out);
  for (int e = 0; e < kQK_K; ++e) out->q[e] = static_cast<int8_t>(Get4BitQuant(b.qs, e));
}

void DequantizeQ4_KRow(const void* blocks, float* y, int64_t n) {
  DequantizeKBlockRow(blocks, sizeof(BlockQ4_K), UnpackQ4_K, y, n);
}

float DotQ4_KQ8_K(const void* w, const void* a, int64_t n) {
  return DotKBlockQ8_KRow(w, sizeof(BlockQ4_K), UnpackQ4_K, a, n);
}

}  // namespace miaotui::quant
