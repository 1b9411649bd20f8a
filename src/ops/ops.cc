#include "ops/ops.h"

#include <cmath>
#include <cstring>

#include "base/thread_pool.h"
#include "kernels/activation.h"
#include "kernels/matmul.h"
#include "kernels/vec.h"

namespace miaotui::ops {
namespace {

// This thread's share of [0, n).
inline void Share(int64_t n, int ith, int nth, int64_t* b, int64_t* e) {
  ThreadPool::SplitRange(n, nth, ith, b, e);
}

}  // namespace

void RmsNorm(const float* x, const float* w, float eps, int64_t rows, int64_t cols, float* y,
             int ith, int nth) {
  int64_t r0, r1;
  Share(rows, ith, nth, &r0, &r1);
  for (int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    double ss = 0;
    for (int64_t c = 0; c < cols; ++c) ss += static_cast<double>(xr[c]) * xr[c];
    const float scale = 1.0f / std::sqrt(static_cast<float>(ss / cols) + eps);
    for (int64_t c = 0; c < cols; ++c) yr[c] = xr[c] * scale * w[c];
  }
}

void LayerNorm(const float* x, const float* w, const float* b, float eps, int64_t rows,
               int64_t cols, float* y, int ith, int nth) {
  int64_t r0, r1;
  Share(rows, ith, nth, &r0, &r1);
  for (int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += xr[c];
    const float mean = static_cast<float>(sum / cols);
    double var = 0;
    for (int64_t c = 0; c < cols; ++c) var += static_cast<double>(xr[c] - mean) * (xr[c] - mean);
    const float scale = 1.0f / std::sqrt(static_cast<float>(var / cols) + eps);
    for (int64_t c = 0; c < cols; ++c) {
      float v = (xr[c] - mean) * scale;
      if (w) v *= w[c];
      if (b) v += b[c];
      yr[c] = v;
    }
  }
}

void Add(const float* a, const float* b, int64_t n, float* y, int ith, int nth) {
  int64_t i0, i1;
  Share(n, ith, nth, &i0, &i1);
  for (int64_t i = i0; i < i1; ++i) y[i] = a[i] + b[i];
}

void Mul(const float* a, const float* b, int64_t n, float* y, int ith, int nth) {
  int64_t i0, i1;
  Share(n, ith, nth, &i0, &i1);
  for (int64_t i = i0; i < i1; ++i) y[i] = a[i] * b[i];
}

void SiluMul(const float* a, const float* b, int64_t n, float* y, int ith, int nth) {
  int64_t i0, i1;
  Share(n, ith, nth, &i0, &i1);
  kernels::SiluMul(a + i0, b + i0, y + i0, i1 - i0);
}

void Silu(const float* a, int64_t n, float* y, int ith, int nth) {
  int64_t i0, i1;
  Share(n, ith, nth, &i0, &i1);
  for (int64_t i = i0; i < i1; ++i) y[i] = a[i] / (1.0f + std::exp(-a[i]));
}

void AddRow(const float* x, const float* b, int64_t rows, int64_t cols, float* y, int ith,
            int nth) {
  int64_t r0, r1;
  Share(rows, ith, nth, &r0, &r1);
  for (int64_t r = r0; r < r1; ++r) {
    for (int64_t c = 0; c < cols; ++c) y[r * cols + c] = x[r * cols + c] + b[c];
  }
}

void Gelu(const float* a, int64_t n, float* y, bool tanh_form, int ith, int nth) {
  int64_t i0, i1;
  Share(n, ith, nth, &i0, &i1);
  kernels::Gelu(a + i0, y + i0, i1 - i0, tanh_form);
}

void Tanh(const float* a, int64_t n, float* y, int ith, int nth) {
  int64_t i0, i1;
  Share(n, ith, nth, &i0, &i1);
  kernels::Tanh(a + i0, y + i0, i1 - i0);
}

void Pool(const float* x, int64_t cols, const int32_t* starts, int64_t n_segments, PoolMode mode,
          float* y, int ith, int nth) {
  int64_t s0, s1;
  Share(n_segments, ith, nth, &s0, &s1);
  for (int64_t s = s0; s < s1; ++s) {
    const int64_t b = starts[s], e = starts[s + 1];
    float* ys = y + s * cols;
    if (mode == PoolMode::kCls || mode == PoolMode::kLast) {
      const int64_t r = mode == PoolMode::kCls ? b : e - 1;
      std::memcpy(ys, x + r * cols, cols * sizeof(float));
      continue;
    }
    for (int64_t c = 0; c < cols; ++c) {
      double sum = 0;
      for (int64_t r = b; r < e; ++r) sum += x[r * cols + c];
      ys[c] = static_cast<float>(sum / static_cast<double>(e - b));
    }
  }
}

void Embedding(const TensorView& table, const int32_t* ids, int64_t rows, float* y, int ith,
               int nth) {
  int64_t r0, r1;
  Share(rows, ith, nth, &r0, &r1);
  const int64_t cols = table.cols();
  for (int64_t r = r0; r < r1; ++r) {
    kernels::ToF32(table.dtype, table.row(ids[r]), y + r * cols, cols);
  }
}

void MatMul(const float* x, int64_t rows, const TensorView& w, float* y, int ith, int nth) {
  const int64_t n = w.rows(), k = w.cols();
  // Split output columns in multiples of 16 so SIMD kernels see whole groups of rows.
  const int64_t groups = (n + 15) / 16;
  int64_t g0, g1;
  Share(groups, ith, nth, &g0, &g1);
  const int64_t o0 = g0 * 16, o1 = std::min(n, g1 * 16);
  if (o0 >= o1) return;
  kernels::MatMul(x, rows, k, k, w.data, w.dtype, o0, o1, y, n);
}

void SelectRows(const float* x, int64_t cols, const int32_t* rows, int64_t n, float* y, int ith,
                int nth) {
  int64_t r0, r1;
  Share(n, ith, nth, &r0, &r1);
  for (int64_t r = r0; r < r1; ++r) {
    std::memcpy(y + r * cols, x + static_cast<int64_t>(rows[r]) * cols, cols * sizeof(float));
  }
}

}  // namespace miaotui::ops
