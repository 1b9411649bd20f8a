#include "compress/prune_mask.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace miaotui::compress {

int64_t PrunedCount(int64_t n, double sparsity) {
  const int64_t k = static_cast<int64_t>(std::floor(sparsity * static_cast<double>(n) + 1e-9));
  return std::clamp<int64_t>(k, 0, n);
}

void RowScores(const float* w, const float* norm, int64_t n, float* score) {
  for (int64_t j = 0; j < n; ++j) score[j] = std::fabs(w[j]) * (norm ? norm[j] : 1.0f);
}

namespace {

// Zeroes keep[i] for the k indices of lowest (score, index); the rest are 1.
template <typename Index>
void DropLowest(const float* score, int64_t n, int64_t k, uint8_t* keep,
                std::vector<Index>& scratch) {
  std::fill(keep, keep + n, uint8_t{1});
  if (k == 0) return;
  auto lower = [score](Index a, Index b) {
    return score[a] < score[b] || (score[a] == score[b] && a < b);
  };
  scratch.resize(static_cast<size_t>(n));
  std::iota(scratch.begin(), scratch.end(), Index{0});
  std::nth_element(scratch.begin(), scratch.begin() + k, scratch.end(), lower);
  for (int64_t i = 0; i < k; ++i) keep[scratch[i]] = 0;
}

}  // namespace

void SelectTensor(const float* score, int64_t n, double sparsity, uint8_t* keep) {
  std::vector<int64_t> scratch;
  DropLowest(score, n, PrunedCount(n, sparsity), keep, scratch);
}

void SelectRow(const float* score, int64_t n, double sparsity, NmPattern pattern, uint8_t* keep,
               std::vector<int32_t>& scratch) {
  if (n <= 0) return;
  // Ascending by (score, index): the first entries are the ones to prune.
  auto lower = [score](int32_t a, int32_t b) {
    return score[a] < score[b] || (score[a] == score[b] && a < b);
  };
  if (pattern.m > 0) {
    const int m = pattern.m, drop = pattern.m - pattern.n;
    scratch.resize(static_cast<size_t>(m));
    for (int64_t g = 0; g < n; g += m) {
      for (int i = 0; i < m; ++i) {
        scratch[i] = static_cast<int32_t>(g + i);
        keep[g + i] = 1;
      }
      std::nth_element(scratch.begin(), scratch.begin() + drop, scratch.end(), lower);
      for (int i = 0; i < drop; ++i) keep[scratch[i]] = 0;
    }
    return;
  }
  DropLowest(score, n, PrunedCount(n, sparsity), keep, scratch);
}

}  // namespace miaotui::compress
