#include "ops/attention.h"

#include <algorithm>
#include <cmath>

#include "base/thread_pool.h"
#include "kernels/vec.h"

namespace miaotui::ops {
namespace {

inline uint8_t* RowPtr(void* base, DType t, int64_t row, int64_t row_len) {
  return static_cast<uint8_t*>(base) + RowBytes(t, row_len) * static_cast<size_t>(row);
}

}  // namespace

void StoreKv(const float* k, const float* v, const KvIndex& index, int64_t n_tokens,
             const AttentionParams& p, const KvLayerView& cache, int ith, int nth) {
  const int64_t row_len = p.n_head_kv * p.head_dim;
  int64_t t0, t1;
  ThreadPool::SplitRange(n_tokens, nth, ith, &t0, &t1);
  for (int64_t t = t0; t < t1; ++t) {
    const int64_t slot = index.slots[t];
    kernels::FromF32(cache.dtype, k + t * row_len, RowPtr(cache.k, cache.dtype, slot, row_len),
                     row_len);
    kernels::FromF32(cache.dtype, v + t * row_len, RowPtr(cache.v, cache.dtype, slot, row_len),
                     row_len);
  }
}

void AttendReference(const float* q, const KvIndex& index, int64_t n_tokens,
                     const AttentionParams& p, const KvLayerView& cache, float* out,
                     float* scratch, int ith, int nth) {
  const int64_t hd = p.head_dim;
  const int64_t kv_row = p.n_head_kv * hd;
  const int64_t q_row = p.n_head * hd;
  const int64_t group = p.n_head / p.n_head_kv;
  const int64_t bs = cache.block_size;
  const size_t kv_row_bytes = RowBytes(cache.dtype, kv_row);
  const auto* kbase = static_cast<const uint8_t*>(cache.k);
  const auto* vbase = static_cast<const uint8_t*>(cache.v);
  float* scores = scratch + static_cast<int64_t>(ith) * index.max_blocks * bs;

  int64_t w0, w1;
  ThreadPool::SplitRange(n_tokens * p.n_head, nth, ith, &w0, &w1);
  for (int64_t w = w0; w < w1; ++w) {
    const int64_t t = w / p.n_head, h = w % p.n_head, g = h / group;
    const float* qv = q + t * q_row + h * hd;
    const int64_t n_keys = static_cast<int64_t>(index.positions[t]) + 1;
    const int64_t j0 = p.window > 0 ? std::max<int64_t>(0, n_keys - p.window) : 0;
    const int32_t* blocks = index.block_table + index.seq_of_token[t] * index.max_blocks;
    const size_t head_off = RowBytes(cache.dtype, g * hd);
    auto slot_bytes = [&](int64_t j) {
      return static_cast<size_t>(blocks[j / bs] * bs + j % bs) * kv_row_bytes + head_off;
    };
    float mx = -INFINITY;
    for (int64_t j = j0; j < n_keys; ++j) {
      const float s = kernels::Dot(qv, kbase + slot_bytes(j), cache.dtype, hd) * p.scale;
      scores[j] = s;
      mx = std::max(mx, s);
    }
    float sum = 0;
    for (int64_t j = j0; j < n_keys; ++j) {
      scores[j] = std::exp(scores[j] - mx);
      sum += scores[j];
    }
    float* o = out + t * q_row + h * hd;
    std::fill(o, o + hd, 0.0f);
    const float inv = 1.0f / sum;
    for (int64_t j = j0; j < n_keys; ++j) {
      kernels::Axpy(scores[j] * inv, vbase + slot_bytes(j), cache.dtype, o, hd);
    }
  }
}

void AttendSegmentsReference(const float* q, const float* k, const float* v,
                             const int32_t* seg_begin,
                    const int32_t* seg_end, int64_t n_tokens, bool causal,
                    const AttentionParams& p, float* out, float* scratch, int ith, int nth) {
  const int64_t hd = p.head_dim;
  const int64_t kv_row = p.n_head_kv * hd, q_row = p.n_head * hd;
  const int64_t group = p.n_head / p.n_head_kv;
  float* scores = scratch + static_cast<int64_t>(ith) * n_tokens;
  int64_t w0, w1;
  ThreadPool::SplitRange(n_tokens * p.n_head, nth, ith, &w0, &w1);
  for (int64_t w = w0; w < w1; ++w) {
    const int64_t t = w / p.n_head, h = w % p.n_head, g = h / group;
    const float* qv = q + t * q_row + h * hd;
    const int64_t b = seg_begin[t], e = causal ? t + 1 : seg_end[t];
    float mx = -INFINITY;
    for (int64_t j = b; j < e; ++j) {
      const float s = kernels::Dot(qv, k + j * kv_row + g * hd, DType::kF32, hd) * p.scale;
      scores[j - b] = s;
      mx = std::max(mx, s);
    }
    float sum = 0;
    for (int64_t j = b; j < e; ++j) sum += (scores[j - b] = std::exp(scores[j - b] - mx));
    float* o = out + t * q_row + h * hd;
    std::fill(o, o + hd, 0.0f);
    const float inv = 1.0f / sum;
    for (int64_t j = b; j < e; ++j) {
      kernels::Axpy(scores[j - b] * inv, v + j * kv_row + g * hd, DType::kF32, o, hd);
    }
  }
}

}  // namespace miaotui::ops
