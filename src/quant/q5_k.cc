#include "quant/q5_k.h"

#include "quant/block_io.h"
#include "quant/k_quant_search.h"
#include "quant/q4_k.h"

namespace miaotui::quant {

void QuantizeQ5_KRow(const float* x, void* blocks, int64_t n) {
  QuantizeQ5_KRowWeighted(x, blocks, n, nullptr);
}

void QuantizeQ5_KRowWeighted(const float* x, void* blocks, int64_t n, const float* importance) {
  QuantizeBlocksWeighted<BlockQ5_K>(
      x, importance, blocks, n, kQK_K, [](const float* xb, const float* imp, BlockQ5_K* b) {
        uint8_t L[kQK_K];
        QuantizeK4Scales(xb, 31, -0.5f, 15, &b->d, &b->dmin, b->scales, L, imp);
        for (int e = 0; e < kQK_K; ++e) {
          if (L[e] > 15) b->qh[e % 32] |= static_cast<uint8_t>(1 << (e / 32));
        }
        Pack4BitQuants(L, b->qs);
      });
}

void UnpackQ5_K(const uint8_t* block, KBlockInts* out) {
  const auto b = LoadBlock<BlockQ5_K>(block);
  UnpackK4Scales(b.d, b.dmin, b.scales, out);
  for (int e = 0; e < kQK_K; ++e) {
    out->q[e] = static_cast<int8_t>(Get4BitQuant(b.qs, e) | (GetBitPlane32(b.qh, e) << 4));
  }
}

void DequantizeQ5_KRow(const void* blocks, float* y, int64_t n) {
  DequantizeKBlockRow(blocks, sizeof(BlockQ5_K), UnpackQ5_K, y, n);
}

float DotQ5_KQ8_K(const void* w, const void* a, int64_t n) {
  return DotKBlockQ8_KRow(w, sizeof(BlockQ5_K), UnpackQ5_K, a, n);
}

}  // namespace miaotui::quant
