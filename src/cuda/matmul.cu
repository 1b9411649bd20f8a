// Matrix x vector kernels (decode and small batches), activation quantization, dequantization
// and float conversion. See kernels.h for the contracts.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "cuda/blocks.cuh"
#include "cuda/kernels.h"

namespace miaotui::cuda {
namespace {

constexpr int kWarps = 4;  // weight rows per 128-thread block

__device__ __forceinline__ float WarpSum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ int WarpSumInt(int v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ float WarpMax(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// The weight row of this warp (kWarps rows per block) and the lane within the warp.
__device__ __forceinline__ int64_t WarpRow() {
  return static_cast<int64_t>(blockIdx.x) * kWarps + threadIdx.x / 32;
}
__device__ __forceinline__ int Lane() { return threadIdx.x % 32; }
// Sums acc over the warp into *y.
__device__ __forceinline__ void StoreWarpSum(float acc, float* y) {
  acc = WarpSum(acc);
  if (Lane() == 0) *y = acc;
}

// One warp per block of 32 values; lane i quantizes value i.
__global__ void QuantizeKernel(const float* x, int64_t n_blocks, Q8Act* out) {
  const int64_t blk = static_cast<int64_t>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
  if (blk >= n_blocks) return;  // whole warps leave together
  const int lane = threadIdx.x % 32;
  const float v = x[blk * 32 + lane];
  const float amax = WarpMax(fabsf(v));
  const float d = amax / 127.0f;
  const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
  int q = __float2int_rn(v * id);
  q = max(-127, min(127, q));
  const int sum = WarpSumInt(q);
  out[blk].qs[lane] = static_cast<int8_t>(q);
  if (lane == 0) {
    out[blk].d = d;
    out[blk].sum = sum;
  }
}

template <typename F>
__global__ void QuantMatVecKernel(const uint8_t* w, size_t row_bytes, int64_t n, int64_t n_sub,
                                  const Q8Act* x, float* y) {
  const int64_t row = WarpRow(), r = blockIdx.y;
  if (row >= n) return;  // whole warps leave together
  const Q8Act* xr = x + r * n_sub;
  float acc = 0.0f;
  for (int64_t s = Lane(); s < n_sub; s += 32) {
    Sub32 u;
    F::Unpack(w + row * row_bytes, s, &u);
    const Q8Act& a = xr[s];
    const auto* aq = reinterpret_cast<const int32_t*>(a.qs);
    int da = 0, db = 0;
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      da = __dp4a(u.q[i], aq[i], da);
      db = __dp4a(u.q[i + 4], aq[i + 4], db);
    }
    acc += a.d * (u.sa * static_cast<float>(da) + u.sb * static_cast<float>(db) -
                  u.mn * static_cast<float>(a.sum));
  }
  StoreWarpSum(acc, y + r * n + row);
}

__device__ __forceinline__ float ToF(float v) { return v; }
__device__ __forceinline__ float ToF(__half v) { return __half2float(v); }
__device__ __forceinline__ float ToF(__nv_bfloat16 v) { return __bfloat162float(v); }

// One warp per weight row; 8 consecutive values per lane and step when k % 8 == 0 (16-byte loads
// for F16/BF16), else one value per lane and step.
template <typename T>
__global__ void DenseMatVecKernel(const T* w, int64_t n, int64_t k, const float* x, float* y) {
  const int64_t row = WarpRow(), r = blockIdx.y;
  if (row >= n) return;
  const int lane = Lane();
  const T* wr = w + row * k;
  const float* xr = x + r * k;
  float acc = 0.0f;
  if (k % 8 == 0) {
    for (int64_t c = 8 * lane; c < k; c += 8 * 32) {
      alignas(16) T v[8];
      if constexpr (sizeof(T) == 2) {
        *reinterpret_cast<uint4*>(v) = *reinterpret_cast<const uint4*>(wr + c);
      } else {
#pragma unroll
        for (int i = 0; i < 8; ++i) v[i] = wr[c + i];
      }
#pragma unroll
      for (int i = 0; i < 8; ++i) acc += ToF(v[i]) * xr[c + i];
    }
  } else {
    for (int64_t c = lane; c < k; c += 32) acc += ToF(wr[c]) * xr[c];
  }
  StoreWarpSum(acc, y + r * n + row);
}

template <typename F, typename Out>
__global__ void DequantizeQuantKernel(const uint8_t* w, size_t row_bytes, int64_t n_sub,
                                      const int32_t* ids, int64_t n, Out* out) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n * n_sub) return;
  const int64_t r = i / n_sub, s = i % n_sub;
  const int64_t src = ids ? ids[r] : r;
  Sub32 u;
  F::Unpack(w + src * row_bytes, s, &u);
  Out* o = out + r * n_sub * 32 + s * 32;
#pragma unroll
  for (int e = 0; e < 32; ++e) {
    const int8_t q = static_cast<int8_t>((u.q[e / 4] >> (8 * (e % 4))) & 0xFF);
    const float v = (e < 16 ? u.sa : u.sb) * static_cast<float>(q) - u.mn;
    if constexpr (sizeof(Out) == 2) {
      o[e] = __float2half(v);
    } else {
      o[e] = v;
    }
  }
}

template <typename T, typename Out>
__global__ void DequantizeDenseKernel(const T* w, int64_t k, const int32_t* ids, int64_t n,
                                      Out* out) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n * k) return;
  const int64_t r = i / k, c = i % k;
  const float v = ToF(w[(ids ? ids[r] : r) * k + c]);
  if constexpr (sizeof(Out) == 2) {
    out[i] = __float2half(v);
  } else {
    out[i] = v;
  }
}

__global__ void ConvertKernel(const float* x, int64_t count, __half* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) y[i] = __float2half(x[i]);
}

__global__ void ConvertKernel(const float* x, int64_t count, __nv_bfloat16* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) y[i] = __float2bfloat16(x[i]);
}

unsigned Blocks(int64_t count, int per_block) {
  return static_cast<unsigned>((count + per_block - 1) / per_block);
}

template <typename Out>
void DequantizeAs(DType wtype, const void* w, int64_t k, const int32_t* ids, int64_t n,
                  Out* out, cudaStream_t stream) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const size_t row_bytes = RowBytes(wtype, k);
  const bool quant = DispatchQuant(wtype, [&](auto fmt) {
    using F = decltype(fmt);
    const int64_t n_sub = k / 32;
    DequantizeQuantKernel<F, Out>
        <<<Blocks(n * n_sub, 256), 256, 0, stream>>>(wb, row_bytes, n_sub, ids, n, out);
  });
  if (quant) return;
  const unsigned grid = Blocks(n * k, 256);
  switch (wtype) {
    case DType::kF32:
      DequantizeDenseKernel<<<grid, 256, 0, stream>>>(static_cast<const float*>(w), k, ids, n,
                                                      out);
      break;
    case DType::kF16:
      DequantizeDenseKernel<<<grid, 256, 0, stream>>>(static_cast<const __half*>(w), k, ids, n,
                                                      out);
      break;
    case DType::kBF16:
      DequantizeDenseKernel<<<grid, 256, 0, stream>>>(static_cast<const __nv_bfloat16*>(w), k,
                                                      ids, n, out);
      break;
    default:
      break;  // refused earlier by WeightTypeSupported
  }
}

}  // namespace

bool IsQuantized(DType t) {
  return t == DType::kQ4_0 || t == DType::kQ8_0 || t == DType::kQ4_K || t == DType::kQ6_K;
}

bool WeightTypeSupported(DType t) {
  return IsQuantized(t) || t == DType::kF32 || t == DType::kF16 || t == DType::kBF16;
}

void QuantizeActivations(const float* x, int64_t m, int64_t k, Q8Act* out, cudaStream_t stream) {
  const int64_t n_blocks = m * (k / 32);
  QuantizeKernel<<<Blocks(n_blocks, 8), 256, 0, stream>>>(x, n_blocks, out);
}

void QuantMatVec(DType wtype, const void* w, int64_t n, int64_t k, const Q8Act* x, int64_t m,
                 float* y, cudaStream_t stream) {
  const dim3 grid(Blocks(n, kWarps), static_cast<unsigned>(m));
  DispatchQuant(wtype, [&](auto fmt) {
    using F = decltype(fmt);
    QuantMatVecKernel<F><<<grid, 32 * kWarps, 0, stream>>>(
        static_cast<const uint8_t*>(w), RowBytes(wtype, k), n, k / 32, x, y);
  });
}

void DenseMatVec(DType wtype, const void* w, int64_t n, int64_t k, const float* x, int64_t m,
                 float* y, cudaStream_t stream) {
  const dim3 grid(Blocks(n, kWarps), static_cast<unsigned>(m));
  switch (wtype) {
    case DType::kF32:
      DenseMatVecKernel<<<grid, 32 * kWarps, 0, stream>>>(static_cast<const float*>(w), n, k, x,
                                                          y);
      break;
    case DType::kF16:
      DenseMatVecKernel<<<grid, 32 * kWarps, 0, stream>>>(static_cast<const __half*>(w), n, k,
                                                          x, y);
      break;
    case DType::kBF16:
      DenseMatVecKernel<<<grid, 32 * kWarps, 0, stream>>>(
          static_cast<const __nv_bfloat16*>(w), n, k, x, y);
      break;
    default:
      break;
  }
}

void DequantizeRows(DType wtype, const void* w, int64_t k, const int32_t* ids, int64_t n,
                    void* out, bool out_f16, cudaStream_t stream) {
  if (out_f16) {
    DequantizeAs(wtype, w, k, ids, n, static_cast<__half*>(out), stream);
  } else {
    DequantizeAs(wtype, w, k, ids, n, static_cast<float*>(out), stream);
  }
}

void ConvertF32(const float* x, int64_t count, DType to, void* out, cudaStream_t stream) {
  if (to == DType::kBF16) {
    ConvertKernel<<<Blocks(count, 256), 256, 0, stream>>>(x, count,
                                                          static_cast<__nv_bfloat16*>(out));
  } else {
    ConvertKernel<<<Blocks(count, 256), 256, 0, stream>>>(x, count, static_cast<__half*>(out));
  }
}

}  // namespace miaotui::cuda
