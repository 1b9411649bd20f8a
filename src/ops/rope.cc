#include "ops/rope.h"

#include <cmath>

#include "base/thread_pool.h"

namespace miaotui::ops {

void Rope(float* x, const int32_t* positions, int64_t rows, const RopeParams& p, int ith,
          int nth) {
  const int64_t n_pairs = p.n_rot / 2;
  const int64_t row_len = p.n_heads * p.head_dim;
  int64_t r0, r1;
  ThreadPool::SplitRange(rows, nth, ith, &r0, &r1);
  for (int64_t r = r0; r < r1; ++r) {
    const double pos = positions[r];
    float* xr = x + r * row_len;
    for (int64_t i = 0; i < n_pairs; ++i) {
      // Angles in double so that long contexts keep full float32 accuracy.
      double theta = pos * p.freq_scale * std::pow(static_cast<double>(p.base), -2.0 * i / p.n_rot);
      if (p.freq_factors) theta /= p.freq_factors[i];
      const float c = static_cast<float>(std::cos(theta));
      const float s = static_cast<float>(std::sin(theta));
      const int64_t ia = p.layout == RopeLayout::kInterleaved ? 2 * i : i;
      const int64_t ib = p.layout == RopeLayout::kInterleaved ? 2 * i + 1 : i + n_pairs;
      for (int64_t h = 0; h < p.n_heads; ++h) {
        float* v = xr + h * p.head_dim;
        const float a = v[ia], b = v[ib];
        v[ia] = a * c - b * s;
        v[ib] = a * s + b * c;
      }
    }
  }
}

}  // namespace miaotui::ops
