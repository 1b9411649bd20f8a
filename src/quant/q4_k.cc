#include "quant/q4_k.h"

#include <cstring>

#include "base/check.h"
#include "base/half.h"
#include "quant/k_quant_search.h"

namespace miaotui::quant {

void QuantizeQ4_KRow(const float* x, void* blocks, int64_t n) {
  DCHECK(n % kQK_K == 0);
  auto* out = static_cast<uint8_t*>(blocks);
  uint8_t L[kQK_K];
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K, out += sizeof(BlockQ4_K)) {
    BlockQ4_K b = {};
    QuantizeK4Scales(x, 15, -1.f, 20, &b.d, &b.dmin, b.scales, L);
    Pack4BitQuants(L, b.qs);
    std::memcpy(out, &b, sizeof(b));
  }
}

// Sub-block scales and mins of the Q4_K/Q5_K layout (the two share their first 16 bytes).
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
  BlockQ4_K b;
  std::memcpy(&b, block, sizeof(b));
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
