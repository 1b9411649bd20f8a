// Causal multi-head attention with grouped-query heads over a KV cache.
//
// The cache of one layer holds K and V rows [n_ctx, n_head_kv * head_dim] in F32 or F16, indexed
// by position (one sequence). StoreKv writes the new tokens' K and V rows at their positions;
// after a barrier, Attend computes for each new token t (position p_t) and query head h
//   out[t, h] = sum_{j <= p_t} softmax_j(q[t, h] . K[j, g] * scale) V[j, g],  g = h / (n_head /
//   n_head_kv)
// The work is split across the team by (token, head) pairs. `scratch` holds nth * n_ctx floats.
#pragma once

#include <cstdint>

#include "tensor/dtype.h"

namespace miaotui::ops {

struct AttentionParams {
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;
  float scale = 1.0f;  // usually 1 / sqrt(head_dim)
};

struct KvLayerView {
  void* k = nullptr;  // [n_ctx, n_head_kv * head_dim] of dtype
  void* v = nullptr;
  DType dtype = DType::kF32;
  int64_t n_ctx = 0;
};

void StoreKv(const float* k, const float* v, const int32_t* positions, int64_t n_tokens,
             const AttentionParams& p, const KvLayerView& cache, int ith, int nth);

void Attend(const float* q, const int32_t* positions, int64_t n_tokens, const AttentionParams& p,
            const KvLayerView& cache, float* out, float* scratch, int ith, int nth);

// Attention over the batch itself, without a cache (encoders): token t attends to the tokens
// [seg_begin[t], seg_end[t]) of its own sequence - all of them (bidirectional), or only those up
// to itself when causal. q [n, n_head * hd], k and v [n, n_head_kv * hd], out like q.
// `scratch` holds nth * n_tokens floats.
void AttendSegments(const float* q, const float* k, const float* v, const int32_t* seg_begin,
                    const int32_t* seg_end, int64_t n_tokens, bool causal,
                    const AttentionParams& p, float* out, float* scratch, int ith, int nth);

}  // namespace miaotui::ops
