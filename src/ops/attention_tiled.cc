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

// Splits the batch into runs of at most kTokensPerTile consecutive tokens of one sequence.
// Every thread computes the same list.
void TokenRuns(const KvIndex& index, int64_t n_tokens, std::vector<TokenRun>* runs) {
  runs->clear();
  int64_t t = 0;
  while (t < n_tokens) {
    int64_t e = t + 1;
    while (e < n_tokens && e - t < kTokensPerTile &&
           index.seq_of_token[e] == index.seq_of_token[t]) {
      ++e;
    }
    runs->push_back({t, e});
    t = e;
  }
}

}  // namespace

int64_t AttendScratchFloats(const AttentionParams& p) {
  const int64_t rows = kTokensPerTile * (p.n_head / p.n_head_kv);
  const int64_t hd = p.head_dim;
  // Q, O, partial product; scores; running max and sum; K tile and transposed V tile.
  return rows * (3 * hd + kKeysPerTile + 2) + 2 * kKeysPerTile * hd + 64;
}

void Attend(const float* q, const KvIndex& index, int64_t n_tokens, const AttentionParams& p,
            const KvLayerView& cache, float* out, float* scratch, int ith, int nth) {
  const int64_t hd = p.head_dim;
  const int64_t group = p.n_head / p.n_head_kv;
  const int64_t q_row = p.n_head * hd, kv_row = p.n_head_kv * hd;
  const int64_t bs = cache.block_size;
  const size_t kv_row_bytes = RowBytes(cache.dtype, kv_row);
  const auto* kbase = static_cast<const uint8_t*>(cache.k);
  const auto* vbase = static_cast<const uint8_t*>(cache.v);

  thread_local std::vector<TokenRun> runs;
  TokenRuns(index, n_tokens, &runs);
  const int64_t n_items = static_cast<int64_t>(runs.size()) * p.n_head_kv;
  int64_t i0, i1;
  ThreadPool::SplitRange(n_items, nth, ith, &i0, &i1);
  if (i0 >= i1) return;

  const int64_t max_rows = kTokensPerTile * group;
  float* base = scratch + ith * AttendScratchFloats(p);
  float* Q = base;
  float* O = Q + max_rows * hd;
  float* T = O + max_rows * hd;
  float* S = T + max_rows * hd;
  float* M = S + max_rows * kKeysPerTile;
  float* L = M + max_rows;
  float* Kt = L + max_rows;
  float* Vt = Kt + kKeysPerTile * hd;

  for (int64_t item = i0; item < i1; ++item) {
    const TokenRun& run = runs[item / p.n_head_kv];
    const int64_t g = item % p.n_head_kv;
    const int64_t n_tok = run.end - run.begin;
    const int64_t rows = n_tok * group;
    const int32_t* blocks = index.block_table + index.seq_of_token[run.begin] * index.max_blocks;
    const size_t head_off = RowBytes(cache.dtype, g * hd);
    auto slot_ptr = [&](const uint8_t* b, int64_t j) {
      return b + static_cast<size_t>(blocks[j / bs] * bs + j % bs) * kv_row_bytes + head_off;
    };
    // Key range of each row's token: (pos - window, pos].
    auto first_key = [&](int64_t t) {
      const int64_t pos = index.positions[t];
      return p.window > 0 ? std::max<int64_t>(0, pos + 1 - p.window) : 0;
    };
    int64_t k_lo = INT64_MAX, k_hi = 0;
    for (int64_t t = run.begin; t < run.end; ++t) {
      k_lo = std::min(k_lo, first_key(t));
      k_hi = std::max<int64_t>(k_hi, index.positions[t] + 1);
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
        kernels::ToF32(cache.dtype, slot_ptr(kbase, kb + j), Kt + j * hd, hd);
        float* vrow = T;  // borrow T for one converted V row
        kernels::ToF32(cache.dtype, slot_ptr(vbase, kb + j), vrow, hd);
        for (int64_t d = 0; d < hd; ++d) Vt[d * nk + j] = vrow[d];
      }
      kernels::MatMul(Q, rows, hd, hd, Kt, DType::kF32, 0, nk, S, kKeysPerTile);
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t t = run.begin + r / group;
        const int64_t lo = std::max<int64_t>(kb, first_key(t)) - kb;
        const int64_t hi = std::min<int64_t>(kb + nk, index.positions[t] + 1) - kb;
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
      const float inv = L[r] > 0 ? 1.0f / L[r] : 0.0f;
      for (int64_t d = 0; d < hd; ++d) dst[d] = O[r * hd + d] * inv;
    }
  }
}

}  // namespace miaotui::ops
