#include "quant/q2_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/half.h"
#include "quant/block_io.h"
#include "quant/k_quant_search.h"
#include "quant/rounding.h"

namespace miaotui::quant {
namespace {

void QuantizeBlock(const float* x, const float* importance, BlockQ2_K* b) {
  uint8_t L[kQK_K];
  float scales[16], mins[16], weights[16];
  float max_scale = 0, max_min = 0;
  const float sigma2 = importance ? MeanSquare(x, kQK_K) : 0.f;
  for (int j = 0; j < 16; ++j) {
    if (importance) {
      ImportanceWeights(x + 16 * j, importance + 16 * j, 16, sigma2, weights);
    } else {
      for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
    }
    // With importances the fit minimizes the weighted squared error (not the absolute one).
    scales[j] = MakeQkx2Quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], -0.5f, 0.1f, 15,
                               importance == nullptr);
    max_scale = std::max(max_scale, scales[j]);
    max_min = std::max(max_min, mins[j]);
  }
  constexpr float kQ4Scale = 15.f;
  std::memset(b->scales, 0, sizeof(b->scales));
  b->d = FloatToHalf(0.f);
  b->dmin = FloatToHalf(0.f);
  if (max_scale > 0) {
    const float iscale = kQ4Scale / max_scale;
    for (int j = 0; j < 16; ++j) {
      b->scales[j] = static_cast<uint8_t>(NearestInt(iscale * scales[j]));
    }
    b->d = FloatToHalf(max_scale / kQ4Scale);
  }
  if (max_min > 0) {
    const float iscale = kQ4Scale / max_min;
    for (int j = 0; j < 16; ++j) {
      b->scales[j] |= static_cast<uint8_t>(NearestInt(iscale * mins[j]) << 4);
    }
    b->dmin = FloatToHalf(max_min / kQ4Scale);
  }
  for (int j = 0; j < 16; ++j) {
    const float d = HalfToFloat(b->d) * (b->scales[j] & 0xF);
    if (!d) continue;
    const float dm = HalfToFloat(b->dmin) * (b->scales[j] >> 4);
    for (int i = 0; i < 16; ++i) {
      L[16 * j + i] = static_cast<uint8_t>(std::clamp(NearestInt((x[16 * j + i] + dm) / d), 0, 3));
    }
  }
  Pack2BitQuants(L, b->qs);
}

}  // namespace

void QuantizeQ2_KRow(const float* x, void* blocks, int64_t n) {
  QuantizeQ2_KRowWeighted(x, blocks, n, nullptr);
}

void QuantizeQ2_KRowWeighted(const float* x, void* blocks, int64_t n, const float* importance) {
  QuantizeBlocksWeighted<BlockQ2_K>(x, importance, blocks, n, kQK_K, QuantizeBlock);
}

void UnpackQ2_K(const uint8_t* block, KBlockInts* out) {
  const auto b = LoadBlock<BlockQ2_K>(block);
  out->d = HalfToFloat(b.d);
  out->dmin = HalfToFloat(b.dmin);
  out->sub_size = 16;
  for (int j = 0; j < 16; ++j) {
    out->sc[j] = b.scales[j] & 0xF;
    out->m[j] = b.scales[j] >> 4;
  }
  for (int e = 0; e < kQK_K; ++e) out->q[e] = static_cast<int8_t>(Get2BitQuant(b.qs, e));
}

void DequantizeQ2_KRow(const void* blocks, float* y, int64_t n) {
  DequantizeKBlockRow(blocks, sizeof(BlockQ2_K), UnpackQ2_K, y, n);
}

float DotQ2_KQ8_K(const void* w, const void* a, int64_t n) {
  return DotKBlockQ8_KRow(w, sizeof(BlockQ2_K), UnpackQ2_K, a, n);
}

}  // namespace miaotui::quant
