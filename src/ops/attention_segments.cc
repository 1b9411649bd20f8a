// Whole-segment attention for encoders (see AttendSegmentsWhole in attention.h). Per item
// (segment, query head): K's rows for the head's KV group are copied into a dense [L, hd] block
// and V's transposed into [hd, L], S = Q K^T comes from the blocked GEMM with Q read in place,
// each score row goes through the vectorized softmax (scale folded in), and O = P V is written by
// the GEMM straight into the output rows. Items are shared among the team by their cost (L^2
// per head), so segments of different lengths still keep every thread busy.
#include <algorithm>
#include <vector>

#include "kernels/activation.h"
#include "kernels/matmul.h"
#include "ops/attention.h"

namespace miaotui::ops {

bool AttendSegmentsWhole(const float* q, const float* k, const float* v, const int32_t* seg_begin,
                         const int32_t* seg_end, int64_t n_tokens, const AttentionParams& p,
                         float* out, int ith, int nth) {
  struct Segment {
    int64_t begin, len;
  };
  thread_local std::vector<Segment> segments;
  segments.clear();
  double total = 0;
  for (int64_t t = 0; t < n_tokens; t = seg_end[t]) {
    const int64_t len = seg_end[t] - seg_begin[t];
    if (seg_begin[t] != t || len < 1 || len > kWholeSegmentMax) return false;
    segments.push_back({t, len});
    total += static_cast<double>(len) * static_cast<double>(len);
  }
  const int64_t hd = p.head_dim, group = p.n_head / p.n_head_kv;
  const int64_t q_row = p.n_head * hd, kv_row = p.n_head_kv * hd;
  thread_local std::vector<float> scratch;
  // Item (segment s, head h) belongs to the thread whose share of the total cost holds the
  // middle of the item's cost interval.
  const double share_lo = total * ith / nth, share_hi = total * (ith + 1) / nth;
  double done = 0;
  for (const Segment& s : segments) {
    const double cost = static_cast<double>(s.len) * static_cast<double>(s.len) / p.n_head;
    for (int64_t h = 0; h < p.n_head; ++h, done += cost) {
      const double mid = done + cost / 2;
      if (mid < share_lo || mid >= share_hi) continue;
      const int64_t L = s.len, g = h / group;
      scratch.resize(static_cast<size_t>(2 * L * hd + L * L));
      float* K = scratch.data();
      float* Vt = K + L * hd;
      float* S = Vt + L * hd;
      for (int64_t j = 0; j < L; ++j) {
        const float* kr = k + (s.begin + j) * kv_row + g * hd;
        const float* vr = v + (s.begin + j) * kv_row + g * hd;
        std::copy(kr, kr + hd, K + j * hd);
        for (int64_t d = 0; d < hd; ++d) Vt[d * L + j] = vr[d];
      }
      const float* Q = q + s.begin * q_row + h * hd;
      kernels::MatMul(Q, L, hd, q_row, K, DType::kF32, 0, L, S, L);
      for (int64_t r = 0; r < L; ++r) kernels::Softmax(S + r * L, L, p.scale);
      kernels::MatMul(S, L, L, L, Vt, DType::kF32, 0, hd, out + s.begin * q_row + h * hd, q_row);
    }
  }
  return true;
}

}  // namespace miaotui::ops
