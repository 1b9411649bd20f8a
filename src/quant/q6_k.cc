#include "quant/q6_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/half.h"
#include "quant/block_io.h"
#include "quant/k_quant_search.h"
#include "quant/rounding.h"

namespace miaotui::quant {
namespace {

void QuantizeBlock(const float* x, const float* importance, BlockQ6_K* b) {
  int8_t L[kQK_K];
  float scales[16], weights[kQK_K];
  float max_scale = 0, max_abs_scale = 0;
  if (importance) ImportanceWeights(x, importance, kQK_K, MeanSquare(x, kQK_K), weights);
  for (int j = 0; j < 16; ++j) {
    scales[j] = MakeQxQuants(16, 32, x + 16 * j, L + 16 * j, 1,
                             importance ? weights + 16 * j : nullptr);
    if (std::fabs(scales[j]) > max_abs_scale) {
      max_abs_scale = std::fabs(scales[j]);
      max_scale = scales[j];
    }
  }
  std::memset(b, 0, sizeof(*b));
  if (max_abs_scale < kGroupMaxEps) return;  // all zeros: d = 0
  const float iscale = -128.f / max_scale;
  b->d = FloatToHalf(1 / iscale);
  for (int j = 0; j < 16; ++j) {
    b->scales[j] = static_cast<int8_t>(std::min(127, NearestInt(iscale * scales[j])));
  }
  for (int j = 0; j < 16; ++j) {
    const float d = HalfToFloat(b->d) * b->scales[j];
    if (!d) continue;
    for (int i = 0; i < 16; ++i) {
      L[16 * j + i] = static_cast<int8_t>(std::clamp(NearestInt(x[16 * j + i] / d), -32, 31) + 32);
    }
  }
  for (int h = 0; h < 2; ++h) {
    const int8_t* Lh = L + 128 * h;
    for (int l = 0; l < 32; ++l) {
      b->ql[64 * h + l] = static_cast<uint8_t>((Lh[l] & 0xF) | ((Lh[l + 64] & 0xF) << 4));
      b->ql[64 * h + 32 + l] = static_cast<uint8_t>((Lh[l + 32] & 0xF) | ((Lh[l + 96] & 0xF) << 4));
      b->qh[32 * h + l] = static_cast<uint8_t>((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) |
                                               ((Lh[l + 64] >> 4) << 4) | ((Lh[l + 96] >> 4) << 6));
    }
  }
}

}  // namespace

void QuantizeQ6_KRow(const float* x, void* blocks, int64_t n) {
  QuantizeQ6_KRowWeighted(x, blocks, n, nullptr);
}

void QuantizeQ6_KRowWeighted(const float* x, void* blocks, int64_t n, const float* importance) {
  QuantizeBlocksWeighted<BlockQ6_K>(x, importance, blocks, n, kQK_K, QuantizeBlock);
}

void UnpackQ6_K(const uint8_t* block, KBlockInts* out) {
  const auto b = LoadBlock<BlockQ6_K>(block);
  out->d = HalfToFloat(b.d);
  out->dmin = 0;
  out->sub_size = 16;
  for (int j = 0; j < 16; ++j) {
    out->sc[j] = b.scales[j];
    out->m[j] = 0;
  }
  for (int e = 0; e < kQK_K; ++e) {
    const int h = e / 128, k = (e % 128) / 32, l = e % 32;
    const int low = (b.ql[64 * h + 32 * (k % 2) + l] >> (4 * (k / 2))) & 0xF;
    const int high = (b.qh[32 * h + l] >> (2 * k)) & 3;
    out->q[e] = static_cast<int8_t>((low | (high << 4)) - 32);
  }
}

void DequantizeQ6_KRow(const void* blocks, float* y, int64_t n) {
  DequantizeKBlockRow(blocks, sizeof(BlockQ6_K), UnpackQ6_K, y, n);
}

float DotQ6_KQ8_K(const void* w, const void* a, int64_t n) {
  return DotKBlockQ8_KRow(w, sizeof(BlockQ6_K), UnpackQ6_K, a, n);
}

}  // namespace miaotui::quant
