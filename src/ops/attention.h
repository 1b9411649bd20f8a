// Causal multi-head attention with grouped-query heads over a paged KV cache.
//
// The cache of one layer is a pool of slots (n_blocks blocks of block_size slots); a slot holds
// one token's K row and V row [n_head_kv * head_dim] in F32 or F16. Each sequence owns blocks
// through its row of the block table: its key at position j lives in slot
//   block_table[seq * max_blocks + j / block_size] * block_size + j % block_size.
// StoreKv writes the new tokens' K and V rows into their slots; after a barrier, Attend computes
// for each new token t of sequence s (position p_t) and query head h
//   out[t, h] = sum_{j <= p_t} softmax_j(q[t, h] . K_s[j, g] * scale) V_s[j, g],
//   g = h / (n_head / n_head_kv)
// With a sliding window W > 0 (Mistral), j runs over (p_t - W, p_t] only.
// The work is split across the team by (token, head) pairs. `scratch` holds
// nth * max_blocks * block_size floats.
#pragma once

#include <cstdint>

#include "tensor/dtype.h"

namespace miaotui::ops {

struct AttentionParams {
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;
  float scale = 1.0f;  // usually 1 / sqrt(head_dim)
  int64_t window = 0;  // Attend: sliding window in positions; 0 = unlimited
};

struct KvLayerView {
  void* k = nullptr;  // [n_blocks * block_size, n_head_kv * head_dim] of dtype
  void* v = nullptr;
  DType dtype = DType::kF32;
  int64_t block_size = 16;
  int64_t n_blocks = 0;
};

// Where the tokens of one forward pass read and write the cache.
struct KvIndex {
  const int32_t* positions = nullptr;     // [n_tokens]
  const int32_t* slots = nullptr;         // [n_tokens]: where each new token's K/V are stored
  const int32_t* seq_of_token = nullptr;  // [n_tokens]: row of the block table
  const int32_t* block_table = nullptr;   // [n_seqs, max_blocks]
  int64_t max_blocks = 0;
};

void StoreKv(const float* k, const float* v, const KvIndex& index, int64_t n_tokens,
             const AttentionParams& p, const KvLayerView& cache, int ith, int nth);

// Tiled attention (the fast path): for each run of up to 16 consecutive tokens of one sequence
// and each KV head, the queries of every head sharing that KV head are processed together
// against blocks of 64 keys converted once to float32, with an online softmax, so the score
// matrix is never materialized beyond one tile. `scratch` holds nth * AttendScratchFloats(p)
// floats.
void Attend(const float* q, const KvIndex& index, int64_t n_tokens, const AttentionParams& p,
            const KvLayerView& cache, float* out, float* scratch, int ith, int nth);
int64_t AttendScratchFloats(const AttentionParams& p);

// The reference: one (token, head) pair at a time, one key at a time. `scratch` holds
// nth * max_blocks * block_size floats. Tests compare Attend against it.
void AttendReference(const float* q, const KvIndex& index, int64_t n_tokens,
                     const AttentionParams& p, const KvLayerView& cache, float* out,
                     float* scratch, int ith, int nth);

// Attention over the batch itself, without a cache (encoders): token t attends to the tokens
// [seg_begin[t], seg_end[t]) of its own sequence - all of them (bidirectional), or only those up
// to itself when causal. q [n, n_head * hd], k and v [n, n_head_kv * hd], out like q.
// Tiled like Attend; `scratch` holds nth * AttendScratchFloats(p) floats.
void AttendSegments(const float* q, const float* k, const float* v, const int32_t* seg_begin,
                    const int32_t* seg_end, int64_t n_tokens, bool causal,
                    const AttentionParams& p, float* out, float* scratch, int ith, int nth);
// The bidirectional fast path AttendSegments takes when every segment has at most
// kWholeSegmentMax tokens: per (segment, head) the whole score matrix (L x L) with the blocked
// GEMM and a vectorized softmax per row, instead of tiles of 16 queries x 64 keys with an online
// softmax (attention_segments.cc). Returns false, having written nothing, when a segment is
// longer. Thread-local scratch of 2 L hd + L^2 floats.
inline constexpr int64_t kWholeSegmentMax = 512;
bool AttendSegmentsWhole(const float* q, const float* k, const float* v, const int32_t* seg_begin,
                         const int32_t* seg_end, int64_t n_tokens, const AttentionParams& p,
                         float* out, int ith, int nth);
// The one-key-at-a-time reference; `scratch` holds nth * n_tokens floats.
void AttendSegmentsReference(const float* q, const float* k, const float* v,
                             const int32_t* seg_begin, const int32_t* seg_end, int64_t n_tokens,
                             bool causal, const AttentionParams& p, float* out, float* scratch,
                             int ith, int nth);

}  // namespace miaotui::ops
