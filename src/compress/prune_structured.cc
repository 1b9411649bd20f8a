#include "compress/prune_structured.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace miaotui::compress {

int64_t FfnKeptWidth(int64_t n_ff, double keep) {
  // The coarsest granule that divides n_ff at least 16 times (a step of at most 1/16).
  int64_t g = 1;
  for (int64_t c : {32, 256}) {
    if (n_ff % c == 0 && n_ff / c >= 16) g = c;
  }
  const int64_t want = static_cast<int64_t>(std::floor(keep * static_cast<double>(n_ff) + 1e-9));
  return std::min(n_ff, std::max(g, want / g * g));
}

int64_t KvGroupsKept(int64_t n_head_kv, double keep) {
  const int64_t k = static_cast<int64_t>(std::llround(keep * static_cast<double>(n_head_kv)));
  return std::clamp<int64_t>(k, 1, n_head_kv);
}

void AddRowScores(const FloatMatrix& w, const float* norm, int64_t group,
                  std::vector<double>& out) {
  for (int64_t r = 0; r < w.rows; ++r) {
    const float* row = w.Row(r);
    double s = 0;
    for (int64_t j = 0; j < w.cols; ++j) s += std::fabs(row[j]) * (norm ? norm[j] : 1.0f);
    out[r / group] += s;
  }
}

void AddColumnScores(const FloatMatrix& w, const float* norm, int64_t group,
                     std::vector<double>& out) {
  std::vector<double> col(static_cast<size_t>(w.cols), 0.0);
  for (int64_t r = 0; r < w.rows; ++r) {
    const float* row = w.Row(r);
    for (int64_t j = 0; j < w.cols; ++j) col[j] += std::fabs(row[j]);
  }
  for (int64_t j = 0; j < w.cols; ++j) out[j / group] += col[j] * (norm ? norm[j] : 1.0f);
}

std::vector<int64_t> TopIndices(const std::vector<double>& score, int64_t count) {
  std::vector<int64_t> idx(score.size());
  std::iota(idx.begin(), idx.end(), 0);
  count = std::clamp<int64_t>(count, 0, static_cast<int64_t>(idx.size()));
  std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return score[a] > score[b]; });
  idx.resize(static_cast<size_t>(count));
  std::sort(idx.begin(), idx.end());
  return idx;
}

std::vector<int64_t> ExpandGroups(const std::vector<int64_t>& groups, int64_t size) {
  std::vector<int64_t> out;
  out.reserve(groups.size() * static_cast<size_t>(size));
  for (int64_t g : groups) {
    for (int64_t i = 0; i < size; ++i) out.push_back(g * size + i);
  }
  return out;
}

FloatMatrix SelectRows(const FloatMatrix& m, const std::vector<int64_t>& rows) {
  FloatMatrix out{m.cols, static_cast<int64_t>(rows.size()), {}};
  out.v.reserve(static_cast<size_t>(out.cols * out.rows));
  for (int64_t r : rows) out.v.insert(out.v.end(), m.Row(r), m.Row(r) + m.cols);
  return out;
}

FloatMatrix SelectColumns(const FloatMatrix& m, const std::vector<int64_t>& cols) {
  FloatMatrix out{static_cast<int64_t>(cols.size()), m.rows, {}};
  out.v.reserve(static_cast<size_t>(out.cols * out.rows));
  for (int64_t r = 0; r < m.rows; ++r) {
    for (int64_t c : cols) out.v.push_back(m.Row(r)[c]);
  }
  return out;
}

std::vector<float> SelectElements(const std::vector<float>& v, const std::vector<int64_t>& idx) {
  std::vector<float> out;
  out.reserve(idx.size());
  for (int64_t i : idx) out.push_back(v[i]);
  return out;
}

}  // namespace miaotui::compress
