#include "quant/q3_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/half.h"
#include "quant/block_io.h"
#include "quant/k_quant_search.h"
#include "quant/rounding.h"

namespace miaotui::quant {
namespace {

// Scale j, 0..63 (stored with +32): low nibble in scales[j % 8] (high nibble for j >= 8), bits
// 4..5 in scales[8 + j % 4] at bit 2 * (j / 4).
void SetScale(int j, int l, uint8_t* scales) {
  if (j < 8) {
    scales[j] = static_cast<uint8_t>(l & 0xF);
  } else {
    scales[j - 8] |= static_cast<uint8_t>((l & 0xF) << 4);
  }
  scales[8 + j % 4] |= static_cast<uint8_t>((l >> 4) << (2 * (j / 4)));
}

int GetScale(int j, const uint8_t* scales) {
  const int low = j < 8 ? scales[j] & 0xF : scales[j - 8] >> 4;
  return low | (((scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4);
}

void QuantizeBlock(const float* x, const float* importance, BlockQ3_K* b) {
  int8_t L[kQK_K];
  float scales[16], weights[kQK_K];
  float max_scale = 0, amax = 0;
  if (importance) ImportanceWeights(x, importance, kQK_K, 2 * MeanSquare(x, kQK_K), weights);
  for (int j = 0; j < 16; ++j) {
    scales[j] =
        MakeQ3Quants(16, 4, x + 16 * j, L + 16 * j, importance ? weights + 16 * j : nullptr);
    if (std::fabs(scales[j]) > amax) {
      amax = std::fabs(scales[j]);
      max_scale = scales[j];
    }
  }
  std::memset(b->scales, 0, sizeof(b->scales));
  b->d = FloatToHalf(0.f);
  if (max_scale) {
    const float iscale = -32.f / max_scale;
    for (int j = 0; j < 16; ++j) {
      // ggml keeps this in an int8_t before clamping; the clamp makes the narrowing harmless.
      const auto l = static_cast<int8_t>(NearestInt(iscale * scales[j]));
      SetScale(j, std::clamp<int>(l, -32, 31) + 32, b->scales);
    }
    b->d = FloatToHalf(1 / iscale);
  }
  for (int j = 0; j < 16; ++j) {
    const float d = HalfToFloat(b->d) * (GetScale(j, b->scales) - 32);
    if (!d) continue;
    for (int i = 0; i < 16; ++i) {
      L[16 * j + i] = static_cast<int8_t>(std::clamp(NearestInt(x[16 * j + i] / d), -4, 3) + 4);
    }
  }
  std::memset(b->hmask, 0, sizeof(b->hmask));
  uint8_t low[kQK_K];
  for (int e = 0; e < kQK_K; ++e) {
    if (L[e] > 3) b->hmask[e % 32] |= static_cast<uint8_t>(1 << (e / 32));
    low[e] = static_cast<uint8_t>(L[e] & 3);
  }
  Pack2BitQuants(low, b->qs);
}

}  // namespace

void QuantizeQ3_KRow(const float* x, void* blocks, int64_t n) {
  QuantizeQ3_KRowWeighted(x, blocks, n, nullptr);
}

void QuantizeQ3_KRowWeighted(const float* x, void* blocks, int64_t n, const float* importance) {
  QuantizeBlocksWeighted<BlockQ3_K>(x, importance, blocks, n, kQK_K, QuantizeBlock);
}

void UnpackQ3_K(const uint8_t* block, KBlockInts* out) {
  const auto b = LoadBlock<BlockQ3_K>(block);
  out->d = HalfToFloat(b.d);
  out->dmin = 0;
  out->sub_size = 16;
  for (int j = 0; j < 16; ++j) {
    out->sc[j] = static_cast<int16_t>(GetScale(j, b.scales) - 32);
    out->m[j] = 0;
  }
  for (int e = 0; e < kQK_K; ++e) {
    out->q[e] = static_cast<int8_t>(Get2BitQuant(b.qs, e) - (GetBitPlane32(b.hmask, e) ? 0 : 4));
  }
}

void DequantizeQ3_KRow(const void* blocks, float* y, int64_t n) {
  DequantizeKBlockRow(blocks, sizeof(BlockQ3_K), UnpackQ3_K, y, n);
}

float DotQ3_KQ8_K(const void* w, const void* a, int64_t n) {
  return DotKBlockQ8_KRow(w, sizeof(BlockQ3_K), UnpackQ3_K, a, n);
}

}  // namespace miaotui::quant
