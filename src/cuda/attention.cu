// Attention over the device KV cache (ops/attention.h has the math and the cache addressing).
//
// StoreKv: one block per new token writes its K and V rows into its slot (F32 or F16 cache).
// Attend: split-K ("flash decoding"): block (t * n_head + h, s) takes split s of token t's keys
// [j0, p_t] for query head h; each of its 4 warps walks every 4th key of the split with an
// online softmax (lane i holds dims i, i + 32, ... of q and of the running output), the warps
// merge in shared memory and the block writes (max, sum, output) for its split; a second kernel
// merges the splits. The same kernels serve prompts (many tokens, few splits) and decode steps
// (one token, many splits). Not yet: a tiled prompt kernel that shares K/V tiles between the
// queries of a KV-head group (docs/CUDA.md).
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>

#include "cuda/kernels.h"

namespace miaotui::cuda {
namespace {

constexpr int kWarpsPerBlock = 4;
constexpr int kDimsPerLane = kMaxHeadDim / 32;

__device__ __forceinline__ float Load(const float* p) { return *p; }
__device__ __forceinline__ float Load(const __half* p) { return __half2float(*p); }
__device__ __forceinline__ void Store(float* p, float v) { *p = v; }
__device__ __forceinline__ void Store(__half* p, float v) { *p = __float2half(v); }

template <typename T>
__global__ void StoreKvKernel(const float* k, const float* v, const int32_t* slots,
                              int64_t row_len, T* kc, T* vc) {
  const int64_t t = blockIdx.x;
  const int64_t slot = slots[t];
  for (int64_t c = threadIdx.x; c < row_len; c += blockDim.x) {
    Store(kc + slot * row_len + c, k[t * row_len + c]);
    Store(vc + slot * row_len + c, v[t * row_len + c]);
  }
}

template <typename T>
__global__ void AttendSplitKernel(const float* q, ops::KvIndex index, ops::AttentionParams p,
                                  const T* kc, const T* vc, int64_t block_size, int n_splits,
                                  float* part_ml, float* part_acc) {
  const int64_t hd = p.head_dim;
  const int64_t th = blockIdx.x;  // t * n_head + h
  const int64_t t = th / p.n_head, h = th % p.n_head;
  const int64_t g = h / (p.n_head / p.n_head_kv);
  const int split = blockIdx.y;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t kv_row = p.n_head_kv * hd;

  const int64_t n_keys = static_cast<int64_t>(index.positions[t]) + 1;
  const int64_t j0 = p.window > 0 ? max(static_cast<int64_t>(0), n_keys - p.window) : 0;
  const int64_t chunk = (n_keys - j0 + n_splits - 1) / n_splits;
  const int64_t begin = j0 + split * chunk;
  const int64_t end = min(n_keys, begin + chunk);
  const int32_t* blocks = index.block_table + index.seq_of_token[t] * index.max_blocks;

  float qr[kDimsPerLane], acc[kDimsPerLane];
  const float* qv = q + t * p.n_head * hd + h * hd;
#pragma unroll
  for (int i = 0; i < kDimsPerLane; ++i) {
    const int64_t d = lane + 32 * i;
    qr[i] = d < hd ? qv[d] * p.scale : 0.0f;
    acc[i] = 0.0f;
  }
  float m = -INFINITY, l = 0.0f;
  for (int64_t j = begin + warp; j < end; j += kWarpsPerBlock) {
    const int64_t slot = static_cast<int64_t>(blocks[j / block_size]) * block_size + j % block_size;
    const T* kr = kc + slot * kv_row + g * hd;
    const T* vr = vc + slot * kv_row + g * hd;
    float s = 0.0f;
#pragma unroll
    for (int i = 0; i < kDimsPerLane; ++i) {
      const int64_t d = lane + 32 * i;
      if (d < hd) s += qr[i] * Load(kr + d);
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
    const float m_new = fmaxf(m, s);
    const float corr = expf(m - m_new);  // 0 when m was -inf
    const float pj = expf(s - m_new);
    l = l * corr + pj;
#pragma unroll
    for (int i = 0; i < kDimsPerLane; ++i) {
      const int64_t d = lane + 32 * i;
      acc[i] = acc[i] * corr + (d < hd ? pj * Load(vr + d) : 0.0f);
    }
    m = m_new;
  }

  __shared__ float sm[kWarpsPerBlock], sl[kWarpsPerBlock];
  __shared__ float sacc[kWarpsPerBlock][kMaxHeadDim];
  if (lane == 0) {
    sm[warp] = m;
    sl[warp] = l;
  }
#pragma unroll
  for (int i = 0; i < kDimsPerLane; ++i) sacc[warp][lane + 32 * i] = acc[i];
  __syncthreads();
  float mx = -INFINITY;
  for (int w = 0; w < kWarpsPerBlock; ++w) mx = fmaxf(mx, sm[w]);
  const int64_t part = th * n_splits + split;
  if (threadIdx.x == 0) {
    float total = 0.0f;
    for (int w = 0; w < kWarpsPerBlock; ++w) {
      if (sm[w] != -INFINITY) total += sl[w] * expf(sm[w] - mx);
    }
    part_ml[2 * part] = mx;
    part_ml[2 * part + 1] = total;
  }
  for (int64_t d = threadIdx.x; d < hd; d += blockDim.x) {
    float o = 0.0f;
    for (int w = 0; w < kWarpsPerBlock; ++w) {
      if (sm[w] != -INFINITY) o += sacc[w][d] * expf(sm[w] - mx);
    }
    part_acc[part * hd + d] = o;
  }
}

// One block per (token, head): merges the splits' partial results.
__global__ void AttendMergeKernel(const float* part_ml, const float* part_acc, int n_splits,
                                  int64_t n_head, int64_t hd, float* out) {
  const int64_t th = blockIdx.x;
  float mx = -INFINITY;
  for (int s = 0; s < n_splits; ++s) mx = fmaxf(mx, part_ml[2 * (th * n_splits + s)]);
  float total = 0.0f;
  for (int s = 0; s < n_splits; ++s) {
    const float ms = part_ml[2 * (th * n_splits + s)];
    if (ms != -INFINITY) total += part_ml[2 * (th * n_splits + s) + 1] * expf(ms - mx);
  }
  const float inv = total > 0.0f ? 1.0f / total : 0.0f;
  for (int64_t d = threadIdx.x; d < hd; d += blockDim.x) {
    float o = 0.0f;
    for (int s = 0; s < n_splits; ++s) {
      const float ms = part_ml[2 * (th * n_splits + s)];
      if (ms != -INFINITY) o += part_acc[(th * n_splits + s) * hd + d] * expf(ms - mx);
    }
    // out row of token t: heads back to back, as q.
    out[th * hd + d] = o * inv;
  }
}

}  // namespace

void StoreKv(const float* k, const float* v, const ops::KvIndex& index, int64_t n_tokens,
             const ops::AttentionParams& p, const ops::KvLayerView& cache, cudaStream_t stream) {
  if (n_tokens <= 0) return;
  const int64_t row_len = p.n_head_kv * p.head_dim;
  const auto grid = static_cast<unsigned>(n_tokens);
  if (cache.dtype == DType::kF16) {
    StoreKvKernel<<<grid, 128, 0, stream>>>(k, v, index.slots, row_len,
                                            static_cast<__half*>(cache.k),
                                            static_cast<__half*>(cache.v));
  } else {
    StoreKvKernel<<<grid, 128, 0, stream>>>(k, v, index.slots, row_len,
                                            static_cast<float*>(cache.k),
                                            static_cast<float*>(cache.v));
  }
}

int AttendSplits(int64_t n_tokens, const ops::AttentionParams& p, int64_t max_keys) {
  // Enough blocks to fill the device (~2 waves of 132 multiprocessors x 4 blocks), at least 64
  // keys per split.
  const int64_t pairs = n_tokens * p.n_head;
  int64_t splits = std::max<int64_t>(1, 1024 / std::max<int64_t>(1, pairs));
  splits = std::min<int64_t>(splits, std::max<int64_t>(1, max_keys / 64));
  return static_cast<int>(std::min<int64_t>(splits, 64));
}

int64_t AttendPartialFloats(int64_t n_tokens, const ops::AttentionParams& p, int64_t max_keys) {
  return n_tokens * p.n_head * AttendSplits(n_tokens, p, max_keys) * (p.head_dim + 2);
}

void Attend(const float* q, const ops::KvIndex& index, int64_t n_tokens,
            const ops::AttentionParams& p, const ops::KvLayerView& cache, int64_t max_keys,
            float* out, float* partials, cudaStream_t stream) {
  if (n_tokens <= 0) return;
  const int splits = AttendSplits(n_tokens, p, max_keys);
  const int64_t pairs = n_tokens * p.n_head;
  float* part_ml = partials;
  float* part_acc = partials + 2 * pairs * splits;
  const dim3 grid(static_cast<unsigned>(pairs), static_cast<unsigned>(splits));
  if (cache.dtype == DType::kF16) {
    AttendSplitKernel<<<grid, 32 * kWarpsPerBlock, 0, stream>>>(
        q, index, p, static_cast<const __half*>(cache.k), static_cast<const __half*>(cache.v),
        cache.block_size, splits, part_ml, part_acc);
  } else {
    AttendSplitKernel<<<grid, 32 * kWarpsPerBlock, 0, stream>>>(
        q, index, p, static_cast<const float*>(cache.k), static_cast<const float*>(cache.v),
        cache.block_size, splits, part_ml, part_acc);
  }
  AttendMergeKernel<<<static_cast<unsigned>(pairs), 128, 0, stream>>>(part_ml, part_acc, splits,
                                                                      p.n_head, p.head_dim, out);
}

}  // namespace miaotui::cuda
