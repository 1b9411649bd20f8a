#include "quant/k_quant_search.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/half.h"
#include "quant/rounding.h"

namespace miaotui::quant {
namespace {

// Index of the value of largest magnitude (the first one on ties); -1 if all are below eps.
int ArgAbsMax(int n, const float* x) {
  float amax = 0;
  int best = -1;
  for (int i = 0; i < n; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      best = i;
    }
  }
  return amax < kGroupMaxEps ? -1 : best;
}

float QxWeight(float x, int rmse_type) {
  switch (rmse_type) {
    case 1: return x * x;
    case 2: return 1;
    case 3: return std::fabs(x);
    default: return std::sqrt(std::fabs(x));
  }
}

int Clamp(int v, int lo, int hi) { return std::max(lo, std::min(hi, v)); }

}  // namespace

float MakeQxQuants(int n, int nmax, const float* x, int8_t* L, int rmse_type,
                   const float* weights) {
  const int imax = ArgAbsMax(n, x);
  if (imax < 0) {
    std::memset(L, 0, n);
    return 0.f;
  }
  const float max = x[imax];
  float iscale = -nmax / max;
  if (rmse_type == 0) {
    for (int i = 0; i < n; ++i) L[i] = nmax + Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
    return 1 / iscale;
  }
  const bool return_early = rmse_type < 0;
  if (return_early) rmse_type = -rmse_type;
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
    L[i] = static_cast<int8_t>(l + nmax);
    const float w = weights ? weights[i] : QxWeight(x[i], rmse_type);
    sumlx += w * x[i] * l;
    suml2 += w * l * l;
  }
  float scale = suml2 ? sumlx / suml2 : 0.0f;
  if (return_early) return suml2 > 0 ? 0.5f * (scale + 1 / iscale) : 1 / iscale;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0) continue;
    iscale = -(nmax + 0.1f * is) / max;
    sumlx = suml2 = 0;
    for (int i = 0; i < n; ++i) {
      const int l = Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
      const float w = weights ? weights[i] : QxWeight(x[i], rmse_type);
      sumlx += w * x[i] * l;
      suml2 += w * l * l;
    }
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      for (int i = 0; i < n; ++i) {
        L[i] = static_cast<int8_t>(nmax + Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1));
      }
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

float MakeQ3Quants(int n, int nmax, const float* x, int8_t* L, const float* weights) {
  const int imax = ArgAbsMax(n, x);
  if (imax < 0) {
    std::memset(L, 0, n);
    return 0.f;
  }
  const float iscale = -nmax / x[imax];
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
    L[i] = static_cast<int8_t>(l);
    const float w = weights ? weights[i] : x[i] * x[i];
    sumlx += w * x[i] * l;
    suml2 += w * l * l;
  }
  for (int itry = 0; itry < 5; ++itry) {
    int n_changed = 0;
    for (int i = 0; i < n; ++i) {
      const float w = weights ? weights[i] : x[i] * x[i];
      float slx = sumlx - w * x[i] * L[i];
      if (slx > 0) {
        float sl2 = suml2 - w * L[i] * L[i];
        const int new_l = Clamp(NearestInt(x[i] * sl2 / slx), -nmax, nmax - 1);
        if (new_l != L[i]) {
          slx += w * x[i] * new_l;
          sl2 += w * new_l * new_l;
          if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
            L[i] = static_cast<int8_t>(new_l);
            sumlx = slx;
            suml2 = sl2;
            ++n_changed;
          }
        }
      }
    }
    if (!n_changed) break;
  }
  for (int i = 0; i < n; ++i) L[i] = static_cast<int8_t>(L[i] + nmax);
  return sumlx / suml2;
}

float MakeQkx2Quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                     float* the_min, float rmin, float rdelta, int nstep, bool use_mad) {
  float min = x[0], max = x[0];
  float sum_w = weights[0];
  float sum_x = sum_w * x[0];
  for (int i = 1; i < n; ++i) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    const float w = weights[i];
    sum_w += w;
    sum_x += w * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    std::memset(L, 0, n);
    *the_min = -min;
    return 0.f;
  }
  auto error = [&](float scale, float offset, const uint8_t* levels) {
    float err = 0;
    for (int i = 0; i < n; ++i) {
      float diff = scale * levels[i] + offset - x[i];
      diff = use_mad ? std::fabs(diff) : diff * diff;
      err += weights[i] * diff;
    }
    return err;
  };
  float iscale = nmax / (max - min);
  float scale = 1 / iscale;
  for (int i = 0; i < n; ++i) {
    L[i] = static_cast<uint8_t>(Clamp(NearestInt(iscale * (x[i] - min)), 0, nmax));
  }
  float best_mad = error(scale, min, L);
  uint8_t laux[32];
  for (int is = 0; is <= nstep; ++is) {
    iscale = (rmin + rdelta * is + nmax) / (max - min);
    float sum_l = 0, sum_l2 = 0, sum_xl = 0;
    for (int i = 0; i < n; ++i) {
      const int l = Clamp(NearestInt(iscale * (x[i] - min)), 0, nmax);
      laux[i] = static_cast<uint8_t>(l);
      const float w = weights[i];
      sum_l += w * l;
      sum_l2 += w * l * l;
      sum_xl += w * l * x[i];
    }
    const float D = sum_w * sum_l2 - sum_l * sum_l;
    if (D > 0) {
      float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
      float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
      if (this_min > 0) {
        this_min = 0;
        this_scale = sum_xl / sum_l2;
      }
      const float mad = error(this_scale, this_min, laux);
      if (mad < best_mad) {
        std::memcpy(L, laux, n);
        best_mad = mad;
        scale = this_scale;
        min = this_min;
      }
    }
  }
  *the_min = -min;
  return scale;
}

void Pack2BitQuants(const uint8_t* L, uint8_t* qs) {
  for (int j = 0; j < 256; j += 128) {
    for (int l = 0; l < 32; ++l) {
      qs[j / 4 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 2) |
                                           (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
    }
  }
}

int Get2BitQuant(const uint8_t* qs, int e) {
  const int half = e / 128, k = (e % 128) / 32, l = e % 32;
  return (qs[32 * half + l] >> (2 * k)) & 3;
}

void Pack4BitQuants(const uint8_t* L, uint8_t* qs) {
  for (int c = 0; c < 4; ++c) {
    for (int l = 0; l < 32; ++l) {
      qs[32 * c + l] = static_cast<uint8_t>((L[64 * c + l] & 0xF) | (L[64 * c + 32 + l] << 4));
    }
  }
}

int Get4BitQuant(const uint8_t* qs, int e) {
  const int r = e % 64;
  return (qs[32 * (e / 64) + r % 32] >> (4 * (r / 32))) & 0xF;
}

void SetScaleMinK4(int j, uint8_t sc, uint8_t m, uint8_t* scales) {
  if (j < 4) {
    scales[j] = sc;
    scales[j + 4] = m;
  } else {
    scales[j + 4] = static_cast<uint8_t>((sc & 0xF) | ((m & 0xF) << 4));
    scales[j - 4] |= static_cast<uint8_t>((sc >> 4) << 6);
    scales[j] |= static_cast<uint8_t>((m >> 4) << 6);
  }
}

void GetScaleMinK4(int j, const uint8_t* scales, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = scales[j] & 63;
    *m = scales[j + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((scales[j + 4] & 0xF) | ((scales[j - 4] >> 6) << 4));
    *m = static_cast<uint8_t>((scales[j + 4] >> 4) | ((scales[j] >> 6) << 4));
  }
}

void QuantizeK4Scales(const float* x, int nmax, float rmin, int nstep, uint16_t* d,
                      uint16_t* dmin, uint8_t* scales, uint8_t* L, const float* importance) {
  float sub_scales[8], mins[8], weights[32];
  float max_scale = 0, max_min = 0;
  const float sigma2 = importance ? 2 * MeanSquare(x, 256) : 0.f;
  for (int j = 0; j < 8; ++j) {
    const float* xs = x + 32 * j;
    if (importance) {
      ImportanceWeights(xs, importance + 32 * j, 32, sigma2, weights);
    } else {
      float sum_x2 = 0;
      for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
      const float av_x = std::sqrt(sum_x2 / 32);
      for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(xs[l]);
    }
    sub_scales[j] =
        MakeQkx2Quants(32, nmax, xs, weights, L + 32 * j, &mins[j], rmin, 0.1f, nstep, false);
    max_scale = std::max(max_scale, sub_scales[j]);
    max_min = std::max(max_min, mins[j]);
  }
  const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
  const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
  for (int j = 0; j < 8; ++j) {
    const auto ls = static_cast<uint8_t>(NearestInt(inv_scale * sub_scales[j]));
    const auto lm = static_cast<uint8_t>(NearestInt(inv_min * mins[j]));
    SetScaleMinK4(j, std::min<uint8_t>(63, ls), std::min<uint8_t>(63, lm), scales);
  }
  *d = FloatToHalf(max_scale / 63.f);
  *dmin = FloatToHalf(max_min / 63.f);
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    GetScaleMinK4(j, scales, &sc, &m);
    const float dl = HalfToFloat(*d) * sc;
    if (!dl) continue;
    const float dm = HalfToFloat(*dmin) * m;
    for (int i = 0; i < 32; ++i) {
      L[32 * j + i] = static_cast<uint8_t>(Clamp(NearestInt((x[32 * j + i] + dm) / dl), 0, nmax));
    }
  }
}

void ImportanceWeights(const float* x, const float* importance, int n, float sigma2, float* w) {
  for (int i = 0; i < n; ++i) w[i] = importance[i] * std::sqrt(sigma2 + x[i] * x[i]);
}

float MeanSquare(const float* x, int n) {
  float s = 0;
  for (int i = 0; i < n; ++i) s += x[i] * x[i];
  return s / n;
}

}  // namespace miaotui::quant
