// Row-wise and elementwise kernels: norms, activations, bias rows, row selection, RoPE.
// See kernels.h for the contracts; the math is the CPU ops' (ops/ops.h, ops/rope.h).
#include <cuda_runtime.h>

#include "cuda/kernels.h"

namespace miaotui::cuda {
namespace {

constexpr int kThreads = 256;

unsigned Blocks(int64_t count) { return static_cast<unsigned>((count + kThreads - 1) / kThreads); }

// Sum over the block (blockDim.x == kThreads); every thread gets the total.
__device__ float BlockSum(float v) {
  __shared__ float part[kThreads / 32];
  __shared__ float total;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  if (threadIdx.x % 32 == 0) part[threadIdx.x / 32] = v;
  __syncthreads();
  if (threadIdx.x == 0) {
    float s = 0.0f;
    for (int i = 0; i < kThreads / 32; ++i) s += part[i];
    total = s;
  }
  __syncthreads();
  const float t = total;
  __syncthreads();  // part/total may be reused by a second call
  return t;
}

__global__ void RmsNormKernel(const float* x, const float* w, float eps, int64_t cols, float* y) {
  const float* xr = x + blockIdx.x * cols;
  float* yr = y + blockIdx.x * cols;
  float ss = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += kThreads) ss += xr[c] * xr[c];
  ss = BlockSum(ss);
  const float scale = 1.0f / sqrtf(ss / static_cast<float>(cols) + eps);
  for (int64_t c = threadIdx.x; c < cols; c += kThreads) yr[c] = xr[c] * scale * w[c];
}

__global__ void LayerNormKernel(const float* x, const float* w, const float* b, float eps,
                                int64_t cols, float* y) {
  const float* xr = x + blockIdx.x * cols;
  float* yr = y + blockIdx.x * cols;
  float sum = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += kThreads) sum += xr[c];
  const float mean = BlockSum(sum) / static_cast<float>(cols);
  float var = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += kThreads) var += (xr[c] - mean) * (xr[c] - mean);
  const float scale = 1.0f / sqrtf(BlockSum(var) / static_cast<float>(cols) + eps);
  for (int64_t c = threadIdx.x; c < cols; c += kThreads) {
    float v = (xr[c] - mean) * scale;
    if (w) v *= w[c];
    if (b) v += b[c];
    yr[c] = v;
  }
}

__global__ void UnaryKernel(Unary op, const float* a, int64_t n, float* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i >= n) return;
  const float x = a[i];
  switch (op) {
    case Unary::kSilu:
      y[i] = x / (1.0f + expf(-x));
      break;
    case Unary::kGeluTanh:
      y[i] = 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
      break;
    case Unary::kGeluErf:
      y[i] = 0.5f * x * (1.0f + erff(x * 0.7071067811865476f));
      break;
    case Unary::kTanh:
      y[i] = tanhf(x);
      break;
  }
}

__global__ void BinaryKernel(Binary op, const float* a, const float* b, int64_t n, float* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i >= n) return;
  switch (op) {
    case Binary::kAdd:
      y[i] = a[i] + b[i];
      break;
    case Binary::kMul:
      y[i] = a[i] * b[i];
      break;
    case Binary::kSiluMul:
      y[i] = a[i] / (1.0f + expf(-a[i])) * b[i];
      break;
  }
}

__global__ void AddRowKernel(const float* x, const float* b, int64_t rows, int64_t cols,
                             float* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i < rows * cols) y[i] = x[i] + b[i % cols];
}

__global__ void SelectRowsKernel(const float* x, int64_t cols, const int32_t* rows, int64_t n,
                                 float* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i < n * cols) y[i] = x[static_cast<int64_t>(rows[i / cols]) * cols + i % cols];
}

// One thread per (row, pair); the pair's rotation is applied to every head. Angles in double,
// as on the CPU.
__global__ void RopeKernel(float* y, const int32_t* positions, int64_t rows, ops::RopeParams p) {
  const int64_t n_pairs = p.n_rot / 2;
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i >= rows * n_pairs) return;
  const int64_t r = i / n_pairs, pair = i % n_pairs;
  double theta = static_cast<double>(positions[r]) * p.freq_scale *
                 pow(static_cast<double>(p.base), -2.0 * pair / p.n_rot);
  if (p.freq_factors) theta /= p.freq_factors[pair];
  const float c = static_cast<float>(cos(theta));
  const float s = static_cast<float>(sin(theta));
  const bool inter = p.layout == ops::RopeLayout::kInterleaved;
  const int64_t ia = inter ? 2 * pair : pair;
  const int64_t ib = inter ? 2 * pair + 1 : pair + n_pairs;
  float* yr = y + r * p.n_heads * p.head_dim;
  for (int64_t h = 0; h < p.n_heads; ++h) {
    float* v = yr + h * p.head_dim;
    const float a = v[ia], b = v[ib];
    v[ia] = a * c - b * s;
    v[ib] = a * s + b * c;
  }
}

}  // namespace

void RmsNorm(const float* x, const float* w, float eps, int64_t rows, int64_t cols, float* y,
             cudaStream_t stream) {
  if (rows > 0) RmsNormKernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(x, w, eps, cols, y);
}

void LayerNorm(const float* x, const float* w, const float* b, float eps, int64_t rows,
               int64_t cols, float* y, cudaStream_t stream) {
  if (rows > 0) {
    LayerNormKernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(x, w, b, eps, cols, y);
  }
}

void UnaryOp(Unary op, const float* a, int64_t n, float* y, cudaStream_t stream) {
  if (n > 0) UnaryKernel<<<Blocks(n), kThreads, 0, stream>>>(op, a, n, y);
}

void BinaryOp(Binary op, const float* a, const float* b, int64_t n, float* y,
              cudaStream_t stream) {
  if (n > 0) BinaryKernel<<<Blocks(n), kThreads, 0, stream>>>(op, a, b, n, y);
}

void AddRow(const float* x, const float* b, int64_t rows, int64_t cols, float* y,
            cudaStream_t stream) {
  if (rows * cols > 0) AddRowKernel<<<Blocks(rows * cols), kThreads, 0, stream>>>(x, b, rows, cols, y);
}

void SelectRows(const float* x, int64_t cols, const int32_t* rows, int64_t n, float* y,
                cudaStream_t stream) {
  if (n * cols > 0) {
    SelectRowsKernel<<<Blocks(n * cols), kThreads, 0, stream>>>(x, cols, rows, n, y);
  }
}

void Rope(const float* x, float* y, const int32_t* positions, int64_t rows,
          const ops::RopeParams& p, cudaStream_t stream) {
  const int64_t row_len = p.n_heads * p.head_dim;
  if (x != y) {
    cudaMemcpyAsync(y, x, sizeof(float) * rows * row_len, cudaMemcpyDeviceToDevice, stream);
  }
  const int64_t work = rows * (p.n_rot / 2);
  if (work > 0) RopeKernel<<<Blocks(work), kThreads, 0, stream>>>(y, positions, rows, p);
}

}  // namespace miaotui::cuda
