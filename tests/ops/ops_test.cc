// Operators against direct double-precision computations on small random cases.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <random>

#include "ops/attention.h"
#include "ops/ops.h"
#include "ops/rope.h"

namespace miaotui::ops {
namespace {

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0, 1);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

TEST(OpsTest, RmsNormMatchesDefinition) {
  const int64_t rows = 3, cols = 37;
  auto x = Random(rows * cols, 1), w = Random(cols, 2);
  std::vector<float> y(rows * cols);
  for (int t = 0; t < 2; ++t) RmsNorm(x.data(), w.data(), 1e-5f, rows, cols, y.data(), t, 2);
  for (int64_t r = 0; r < rows; ++r) {
    double ss = 0;
    for (int64_t c = 0; c < cols; ++c) ss += x[r * cols + c] * x[r * cols + c];
    double s = 1 / std::sqrt(ss / cols + 1e-5);
    for (int64_t c = 0; c < cols; ++c) {
      EXPECT_NEAR(y[r * cols + c], x[r * cols + c] * s * w[c], 1e-5);
    }
  }
}

TEST(OpsTest, RopeLayoutsAgreeUnderThePermutation) {
  // Interleaved pairs (2i, 2i+1) on x equal half-split pairs (i, i + d/2) on the permuted x.
  const int64_t heads = 3, hd = 8, rows = 4;
  auto x = Random(rows * heads * hd, 3);
  std::vector<float> perm(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t h = 0; h < heads; ++h) {
      for (int64_t i = 0; i < hd / 2; ++i) {
        const float* src = &x[(r * heads + h) * hd];
        float* dst = &perm[(r * heads + h) * hd];
        dst[i] = src[2 * i];
        dst[i + hd / 2] = src[2 * i + 1];
      }
    }
  }
  std::vector<int32_t> pos = {0, 1, 7, 300};
  RopeParams p{.n_heads = heads, .head_dim = hd, .n_rot = hd, .base = 10000.0f};
  Rope(x.data(), pos.data(), rows, p, 0, 1);
  p.layout = RopeLayout::kHalfSplit;
  Rope(perm.data(), pos.data(), rows, p, 0, 1);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t h = 0; h < heads; ++h) {
      for (int64_t i = 0; i < hd / 2; ++i) {
        EXPECT_NEAR(perm[(r * heads + h) * hd + i], x[(r * heads + h) * hd + 2 * i], 1e-6);
        EXPECT_NEAR(perm[(r * heads + h) * hd + i + hd / 2], x[(r * heads + h) * hd + 2 * i + 1],
                    1e-6);
      }
    }
  }
}

TEST(OpsTest, RopeAtPositionZeroIsIdentityAndPreservesNorm) {
  const int64_t hd = 16;
  auto x = Random(2 * hd, 4);
  auto orig = x;
  std::vector<int32_t> pos = {0, 55};
  RopeParams p{.n_heads = 1, .head_dim = hd, .n_rot = hd, .base = 10000.0f};
  Rope(x.data(), pos.data(), 2, p, 0, 1);
  double n0 = 0, n1 = 0;
  for (int64_t i = 0; i < hd; ++i) {
    EXPECT_FLOAT_EQ(x[i], orig[i]);
    n0 += orig[hd + i] * orig[hd + i];
    n1 += x[hd + i] * x[hd + i];
  }
  EXPECT_NEAR(n0, n1, 1e-4);
}

TEST(OpsTest, AttentionMatchesNaiveGroupedQuery) {
  const int64_t n_head = 4, n_kv = 2, hd = 12, n_tok = 5, n_ctx = 16;
  AttentionParams p{.n_head = n_head, .n_head_kv = n_kv, .head_dim = hd,
                    .scale = 1 / std::sqrt(12.0f)};
  for (DType dt : {DType::kF32, DType::kF16}) {
    auto q = Random(n_tok * n_head * hd, 5), k = Random(n_tok * n_kv * hd, 6),
         v = Random(n_tok * n_kv * hd, 7);
    // Blocks of 2 slots handed out in a scrambled order: the block table must be honoured.
    std::vector<uint8_t> kc(n_ctx * n_kv * hd * 4), vc(n_ctx * n_kv * hd * 4);
    KvLayerView cache{kc.data(), vc.data(), dt, /*block_size=*/2, /*n_blocks=*/n_ctx / 2};
    std::vector<int32_t> table = {5, 0, 7, 3, 1, 2, 4, 6};
    std::vector<int32_t> pos = {0, 1, 2, 3, 4}, seq(n_tok, 0), slots(n_tok);
    for (int64_t t = 0; t < n_tok; ++t) slots[t] = table[pos[t] / 2] * 2 + pos[t] % 2;
    KvIndex index{.positions = pos.data(), .slots = slots.data(), .seq_of_token = seq.data(),
                  .block_table = table.data(), .max_blocks = 8};
    std::vector<float> out(n_tok * n_head * hd), scratch(2 * AttendScratchFloats(p));
    for (int t = 0; t < 2; ++t) StoreKv(k.data(), v.data(), index, n_tok, p, cache, t, 2);
    for (int t = 0; t < 2; ++t) {
      Attend(q.data(), index, n_tok, p, cache, out.data(), scratch.data(), t, 2);
    }
    const double tol = dt == DType::kF32 ? 1e-5 : 5e-3;
    for (int64_t t = 0; t < n_tok; ++t) {
      for (int64_t h = 0; h < n_head; ++h) {
        const int64_t g = h / (n_head / n_kv);
        std::vector<double> s(t + 1);
        double mx = -1e30, sum = 0;
        for (int64_t j = 0; j <= t; ++j) {
          double d = 0;
          for (int64_t i = 0; i < hd; ++i) d += q[(t * n_head + h) * hd + i] * k[(j * n_kv + g) * hd + i];
          s[j] = d * p.scale;
          mx = std::max(mx, s[j]);
        }
        for (auto& e : s) sum += (e = std::exp(e - mx));
        for (int64_t i = 0; i < hd; ++i) {
          double o = 0;
          for (int64_t j = 0; j <= t; ++j) o += s[j] / sum * v[(j * n_kv + g) * hd + i];
          EXPECT_NEAR(out[(t * n_head + h) * hd + i], o, tol) << DTypeName(dt);
        }
      }
    }
  }
}

TEST(OpsTest, ElementwiseOps) {
  auto a = Random(33, 8), b = Random(33, 9);
  std::vector<float> y(33);
  SiluMul(a.data(), b.data(), 33, y.data(), 0, 1);
  for (int i = 0; i < 33; ++i) EXPECT_NEAR(y[i], a[i] / (1 + std::exp(-a[i])) * b[i], 1e-6);
  Add(a.data(), b.data(), 33, y.data(), 0, 1);
  for (int i = 0; i < 33; ++i) EXPECT_FLOAT_EQ(y[i], a[i] + b[i]);
}

}  // namespace
}  // namespace miaotui::ops

namespace miaotui::ops {
namespace {

// The tiled Attend against the one-key-at-a-time reference on batches that mix sequences,
// decode and prefill rows, tiles longer than 64 keys, GQA groups, windows and F16/F32 caches.
TEST(OpsTest, TiledAttentionMatchesReference) {
  std::mt19937 rng(11);
  for (DType dt : {DType::kF32, DType::kF16}) {
    for (int64_t window : {0, 37}) {
      const int64_t n_head = 8, n_kv = 2, hd = 16, bs = 8, n_blocks = 64, max_blocks = 24;
      AttentionParams p{.n_head = n_head, .n_head_kv = n_kv, .head_dim = hd,
                        .scale = 0.25f, .window = window};
      const int64_t kv_row = n_kv * hd;
      std::vector<uint8_t> kc(n_blocks * bs * kv_row * 4), vc(kc.size());
      KvLayerView cache{kc.data(), vc.data(), dt, bs, n_blocks};
      // Three sequences: 150 cached keys + 1 new, 70 cached + 30 new, 0 cached + 21 new.
      const std::vector<std::pair<int64_t, int64_t>> seqs = {{150, 1}, {70, 30}, {0, 21}};
      std::vector<int32_t> table(3 * max_blocks);
      std::vector<int32_t> perm(n_blocks);
      for (int64_t i = 0; i < n_blocks; ++i) perm[i] = static_cast<int32_t>(i);
      std::shuffle(perm.begin(), perm.end(), rng);
      for (int64_t i = 0; i < 3 * max_blocks && i < n_blocks; ++i) table[i] = perm[i];
      for (int64_t i = n_blocks; i < 3 * max_blocks; ++i) table[i] = 0;
      // Fill every cached key of every sequence with random K/V, as earlier steps would have.
      std::vector<int32_t> pos, slots, seq;
      std::normal_distribution<float> nd(0, 1);
      std::vector<float> kall, vall;
      for (int64_t s = 0; s < 3; ++s) {
        const int64_t total = seqs[s].first + seqs[s].second;
        for (int64_t j = 0; j < total; ++j) {
          pos.push_back(static_cast<int32_t>(j));
          slots.push_back(table[s * max_blocks + j / bs] * static_cast<int32_t>(bs) +
                          static_cast<int32_t>(j % bs));
          seq.push_back(static_cast<int32_t>(s));
          for (int64_t d = 0; d < kv_row; ++d) {
            kall.push_back(nd(rng));
            vall.push_back(nd(rng));
          }
        }
      }
      KvIndex all{pos.data(), slots.data(), seq.data(), table.data(), max_blocks};
      StoreKv(kall.data(), vall.data(), all, static_cast<int64_t>(pos.size()), p, cache, 0, 1);
      // The batch: only the new tokens of each sequence.
      std::vector<int32_t> bpos, bseq;
      for (int64_t s = 0; s < 3; ++s) {
        for (int64_t j = seqs[s].first; j < seqs[s].first + seqs[s].second; ++j) {
          bpos.push_back(static_cast<int32_t>(j));
          bseq.push_back(static_cast<int32_t>(s));
        }
      }
      const int64_t n = static_cast<int64_t>(bpos.size());
      KvIndex batch{bpos.data(), nullptr, bseq.data(), table.data(), max_blocks};
      std::vector<float> q = Random(n * n_head * hd, 12);
      std::vector<float> want(q.size()), got(q.size());
      std::vector<float> ref_scratch(2 * max_blocks * bs);
      std::vector<float> scratch(3 * AttendScratchFloats(p));
      for (int t = 0; t < 2; ++t) {
        AttendReference(q.data(), batch, n, p, cache, want.data(), ref_scratch.data(), t, 2);
      }
      for (int t = 0; t < 3; ++t) Attend(q.data(), batch, n, p, cache, got.data(), scratch.data(), t, 3);
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_NEAR(got[i], want[i], 2e-5) << DTypeName(dt) << " window " << window << " at " << i;
      }
    }
  }
}

}  // namespace
}  // namespace miaotui::ops

namespace miaotui::ops {
namespace {

// Segment attention (encoders) against its reference: packed sequences of 5, 70 and 40 tokens
// (bidirectional: the whole-segment path; causal: the tiles), and with a segment longer than
// kWholeSegmentMax (bidirectional on the tiles too), with grouped heads.
TEST(OpsTest, TiledSegmentAttentionMatchesReference) {
  for (bool long_segment : {false, true}) {
  const int64_t n_head = 6, n_kv = 3, hd = 8;
  std::vector<int64_t> lens = {5, 70, 40};
  if (long_segment) lens.push_back(kWholeSegmentMax + 9);
  int64_t n = 0;
  std::vector<int32_t> begin, end;
  for (int64_t len : lens) {
    for (int64_t i = 0; i < len; ++i) {
      begin.push_back(static_cast<int32_t>(n));
      end.push_back(static_cast<int32_t>(n + len));
    }
    n += len;
  }
  AttentionParams p{.n_head = n_head, .n_head_kv = n_kv, .head_dim = hd, .scale = 0.3f};
  auto q = Random(n * n_head * hd, 21), k = Random(n * n_kv * hd, 22), v = Random(n * n_kv * hd, 23);
  for (bool causal : {false, true}) {
    std::vector<float> want(q.size()), got(q.size());
    std::vector<float> ref_scratch(2 * n), scratch(2 * AttendScratchFloats(p));
    for (int t = 0; t < 2; ++t) {
      AttendSegmentsReference(q.data(), k.data(), v.data(), begin.data(), end.data(), n, causal,
                              p, want.data(), ref_scratch.data(), t, 2);
      AttendSegments(q.data(), k.data(), v.data(), begin.data(), end.data(), n, causal, p,
                     got.data(), scratch.data(), t, 2);
    }
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_NEAR(got[i], want[i], 2e-5) << causal << " " << long_segment << " " << i;
    }
  }
  }
}

}  // namespace
}  // namespace miaotui::ops
