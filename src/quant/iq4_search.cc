#include "quant/iq4_search.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/half.h"
#include "quant/block32.h"
#include "quant/k_quant_search.h"
#include "quant/rounding.h"

namespace miaotui::quant {
namespace {

constexpr int kNtry = 7;
constexpr int kMaxSuperBlock = 256;

// Weighted projection of x onto the grid at inverse scale id: fills the sums of the fit
// d = sumqx / sumq2 and, if L is given, the chosen indices.
void FitIq4(const float* x, const float* w, float id, float* sumqx, float* sumq2, uint8_t* L) {
  *sumqx = *sumq2 = 0;
  for (int j = 0; j < kBlock32; ++j) {
    const int l = BestIq4Index(id * x[j]);
    if (L) L[j] = static_cast<uint8_t>(l);
    const float q = kIq4NlValues[l];
    *sumqx += w[j] * q * x[j];
    *sumq2 += w[j] * q * q;
  }
}

// The best scale for one 32-value sub-block (0 if it is all zeros); fills L.
float SearchSubBlockScale(const float* x, const float* importance, float sigma2, uint8_t* L) {
  float w[kBlock32];
  if (importance) {
    ImportanceWeights(x, importance, kBlock32, sigma2, w);
  } else {
    for (int j = 0; j < kBlock32; ++j) w[j] = x[j] * x[j];
  }
  float amax = 0, max = 0;
  for (int j = 0; j < kBlock32; ++j) {
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  if (amax < kGroupMaxEps) return 0;
  float sumqx, sumq2;
  FitIq4(x, w, 1 / (-max / kIq4NlValues[0]), &sumqx, &sumq2, L);
  float d = sumqx / sumq2;
  float best = d * sumqx;
  for (int itry = -kNtry; itry <= kNtry; ++itry) {
    FitIq4(x, w, (itry + kIq4NlValues[0]) / max, &sumqx, &sumq2, nullptr);
    if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
      d = sumqx / sumq2;
      best = d * sumqx;
    }
  }
  return d;
}

}  // namespace

int BestIq4Index(float x) {
  if (x <= kIq4NlValues[0]) return 0;
  if (x >= kIq4NlValues[15]) return 15;
  int lo = 0, hi = 15;
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (x < kIq4NlValues[mid]) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return x - kIq4NlValues[hi - 1] < kIq4NlValues[hi] - x ? hi - 1 : hi;
}

void UnpackIq4Values32(const uint8_t* qs, int8_t* q) {
  UnpackLevels32(qs, nullptr, 0, q);
  for (int j = 0; j < kBlock32; ++j) q[j] = kIq4NlValues[q[j]];
}

void QuantizeIq4SuperBlock(int super_block, const float* x, uint16_t* dh, uint8_t* q4,
                           uint16_t* scales_h, uint8_t* scales_l, const float* importance) {
  uint8_t L[kMaxSuperBlock];
  float scales[kMaxSuperBlock / kBlock32];
  const int nb = super_block / kBlock32;
  float max_scale = 0, amax_scale = 0;
  const float sigma2 = importance ? 2 * MeanSquare(x, super_block) : 0.f;
  for (int ib = 0; ib < nb; ++ib) {
    scales[ib] = SearchSubBlockScale(x + kBlock32 * ib,
                                     importance ? importance + kBlock32 * ib : nullptr, sigma2,
                                     L + kBlock32 * ib);
    if (std::fabs(scales[ib]) > amax_scale) {
      amax_scale = std::fabs(scales[ib]);
      max_scale = scales[ib];
    }
  }
  if (nb > 1) {
    *scales_h = 0;
    const float d = -max_scale / 32;
    *dh = FloatToHalf(d);
    const float id = d ? 1 / d : 0.f;
    for (int ib = 0; ib < nb; ++ib) {
      const int l = std::clamp(NearestInt(id * scales[ib]), -32, 31);
      const float dl = d * l;
      const float idl = dl ? 1 / dl : 0.f;
      for (int j = 0; j < kBlock32; ++j) {
        L[kBlock32 * ib + j] = static_cast<uint8_t>(BestIq4Index(idl * x[kBlock32 * ib + j]));
      }
      const int stored = l + 32;
      if (ib % 2 == 0) {
        scales_l[ib / 2] = static_cast<uint8_t>(stored & 0xF);
      } else {
        scales_l[ib / 2] |= static_cast<uint8_t>((stored & 0xF) << 4);
      }
      *scales_h |= static_cast<uint16_t>((stored >> 4) << (2 * ib));
    }
  } else {
    *dh = FloatToHalf(scales[0]);
    const float id = scales[0] ? 1 / scales[0] : 0;
    for (int j = 0; j < super_block; ++j) L[j] = static_cast<uint8_t>(BestIq4Index(id * x[j]));
  }
  for (int i = 0; i < nb; ++i) PackNibbles32(L + kBlock32 * i, q4 + 16 * i);
}

}  // namespace miaotui::quant
