// Tiled causal attention over the paged KV cache (see attention.h for the contract).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/thread_pool.h"
#include "kernels/matmul.h"
#include "kernels/vec.h"
#include "ops/attention.h"

namespace miaotui::ops {
namespace {

constexpr int64_t kTokensPerTile = 16;
constexpr int64_t kKeysPerTile = 64;

struct TokenRun {
  int64_t begin, end;  // tokens [begin, end) of one sequence
};

}  // namespace

int64_t AttendScratchFloats(const AttentionParams& p) {
  const int64_t rows = kTokensPerTile * (p.n_head / p.n_head_kv);
  const int64_t hd = p.head_dim;
  // Q, O, partial product; scores; running max and sum; K tile and transposed V tile.
  return rows * (3 * hd + kKeysPerTile + 2) + 2 * kKeysPerTile * hd + 64;
}

namespace {

// The tile loop shared by cache and segment attention. For a run of tokens [run.begin, run.end)
// and KV head g: rows are (token, head-in-group) pairs; `range(t)` gives token t's keys
// [lo, hi); `key(j)` / `value(j)` point at key j's row for head g, stored as `kv_type`.
template <typename Range, typename KeyPtr, typename ValuePtr>
void AttendTile(const float* q, const TokenRun& run, int64_t g, const AttentionParams& p,
                DType kv_type, Range range, KeyPtr key, ValuePtr value, float* out,
                float* scratch) {
  const int64_t hd = p.head_dim;
  const int64_t group = p.n_head / p.n_head_kv;
  const int64_t q_row = p.n_head * hd;
  const int64_t max_rows = kTokensPerTile * group;
  float* Q = scratch;
  float* O = Q + max_rows * hd;
  float* T = O + max_rows * hd;
  float* S = T + max_rows * hd;
  float* M = S + max_rows * kKeysPerTile;
  float* L = M + max_rows;
  float* Kt = L + max_rows;
  float* Vt = Kt + kKeysPerTile * hd;

  const int64_t rows = (run.end - run.begin) * group;
  int64_t k_lo = INT64_MAX, k_hi = 0;
  for (int64_t t = run.begin; t < run.end; ++t) {
    const auto [lo, hi] = range(t);
    k_lo = std::min(k_lo, lo);
    k_hi = std::max(k_hi, hi);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t t = run.begin + r / group, h = g * group + r % group;
    const float* src = q + t * q_row + h * hd;
    for (int64_t d = 0; d < hd; ++d) Q[r * hd + d] = src[d] * p.scale;
    M[r] = -INFINITY;
    L[r] = 0.0f;
  }
  std::fill(O, O + rows * hd, 0.0f);

  for (int64_t kb = k_lo; kb < k_hi; kb += kKeysPerTile) {
    const int64_t nk = std::min(kKeysPerTile, k_hi - kb);
    for (int64_t j = 0; j < nk; ++j) {
      kernels::ToF32(kv_type, key(kb + j), Kt + j * hd, hd);
      float* vrow = T;  // borrow T for one converted V row
      kernels::ToF32(kv_type, value(kb + j), vrow, hd);
      for (int64_t d = 0; d < hd; ++d) Vt[d * nk + j] = vrow[d];
    }
    kernels::MatMul(Q, rows, hd, hd, Kt, DType::kF32, 0, nk, S, kKeysPerTile);
    for (int64_t r = 0; r < rows; ++r) {
      const auto [tlo, thi] = range(run.begin + r / group);
      const int64_t lo = std::max<int64_t>(kb, tlo) - kb;
      const int64_t hi = std::min<int64_t>(kb + nk, thi) - kb;
      float* s = S + r * kKeysPerTile;
      if (hi <= lo) {
        std::fill(s, s + nk, 0.0f);
        continue;
      }
      float mx = M[r];
      for (int64_t j = lo; j < hi; ++j) mx = std::max(mx, s[j]);
      const float corr = std::exp(M[r] - mx);  // exp(-inf) = 0 on the first tile
      float sum = 0;
      for (int64_t j = 0; j < nk; ++j) {
        const float e = (j >= lo && j < hi) ? std::exp(s[j] - mx) : 0.0f;
        s[j] = e;
        sum += e;
      }
      if (corr != 1.0f) {
        for (int64_t d = 0; d < hd; ++d) O[r * hd + d] *= corr;
      }
      L[r] = L[r] * corr + sum;
      M[r] = mx;
    }
    // O += P V: P is S [rows, nk] (stride kKeysPerTile), V^T is Vt [hd, nk].
    kernels::MatMul(S, rows, nk, kKeysPerTile, Vt, DType::kF32, 0, hd, T, hd);
    for (int64_t i = 0; i < rows * hd; ++i) O[i] += T[i];
  }
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t t = run.begin + r / group, h = g * group + r % group;
    float* dst = out + t * q_row + h * hd;
    const float inv = L[r] != 0.0f ? 1.0f / L[r] : 0.0f;  // NaN stays NaN
    for (int64_t d = 0; d < hd; ++d) dst[d] = O[r * hd + d] * inv;
  }
}

// Runs of at most kTokensPerTile consecutive tokens with the same key `group_of(t)`.
template <typename GroupOf>
void Runs(int64_t n_tokens, GroupOf group_of, std::vector<TokenRun>* runs) {
  runs->clear();
  int64_t t = 0;
  while (t < n_tokens) {
    int64_t e = t + 1;
    while (e < n_tokens && e - t < kTokensPerTile && group_of(e) == group_of(t)) ++e;
    runs->push_back({t, e});
    t = e;
  }
}

}  // namespace

void Attend(const float* q, const KvIndex& index, int64_t n_tokens, const AttentionParams& p,
            const KvLayerView& cache, float* out, float* scratch, int ith, int nth) {
  const int64_t hd = p.head_dim;
  const int64_t bs = cache.block_size;
  const size_t kv_row_bytes = RowBytes(cache.dtype, p.n_head_kv * hd);
  const auto* kbase = static_cast<const uint8_t*>(cache.k);
  const auto* vbase = static_cast<const uint8_t*>(cache.v);
  thread_local std::vector<TokenRun> runs;
  Runs(n_tokens, [&](int64_t t) { return index.seq_of_token[t]; }, &runs);
  const int64_t n_items = static_cast<int64_t>(runs.size()) * p.n_head_kv;
  int64_t i0, i1;
  ThreadPool::SplitRange(n_items, nth, ith, &i0, &i1);
  float* my_scratch = scratch + ith * AttendScratchFloats(p);
  for (int64_t item = i0; item < i1; ++item) {
    const TokenRun& run = runs[item / p.n_head_kv];
    const int64_t g = item % p.n_head_kv;
    const int32_t* blocks = index.block_table + index.seq_of_token[run.begin] * index.max_blocks;
    const size_t head_off = RowBytes(cache.dtype, g * hd);
    auto slot = [&](const uint8_t* b, int64_t j) {
      return b + static_cast<size_t>(blocks[j / bs] * bs + j % bs) * kv_row_bytes + head_off;
    };
    auto range = [&](int64_t t) {
      const int64_t pos = index.positions[t];
      const int64_t lo = p.window > 0 ? std::max<int64_t>(0, pos + 1 - p.window) : 0;
      return std::pair<int64_t, int64_t>(lo, pos + 1);
    };
    AttendTile(q, run, g, p, cache.dtype, range, [&](int64_t j) { return slot(kbase, j); },
               [&](int64_t j) { return slot(vbase, j); }, out, my_scratch);
  }
}

void AttendSegments(const float* q, const float* k, const float* v, const int32_t* seg_begin,
                    const int32_t* seg_end, int64_t n_tokens, bool causal,
                    const AttentionParams& p, float* out, float* scratch, int ith, int nth) {
  if (!causal && AttendSegmentsWhole(q, k, v, seg_begin, seg_end, n_tokens, p, out, ith, nth)) {
    return;
  }
  const int64_t hd = p.head_dim, kv_row = p.n_head_kv * hd;
  thread_local std::vector<TokenRun> runs;
  Runs(n_tokens, [&](int64_t t) { return seg_begin[t]; }, &runs);
  const int64_t n_items = static_cast<int64_t>(runs.size()) * p.n_head_kv;
  int64_t i0, i1;
  ThreadPool::SplitRange(n_items, nth, ith, &i0, &i1);
  float* my_scratch = scratch + ith * AttendScratchFloats(p);
  for (int64_t item = i0; item < i1; ++item) {
    const TokenRun& run = runs[item / p.n_head_kv];
    const int64_t g = item % p.n_head_kv;
    auto range = [&](int64_t t) {
      return std::pair<int64_t, int64_t>(seg_begin[t], causal ? t + 1 : seg_end[t]);
    };
    AttendTile(q, run, g, p, DType::kF32, range,
               [&](int64_t j) { return k + j * kv_row + g * hd; },
               [&](int64_t j) { return v + j * kv_row + g * hd; }, out, my_scratch);
  }
}

}  // namespace miaotui::ops
