// Which weights of one row survive unstructured or N:M pruning, and the score they are ranked by.
//
// Contract:
//  - SelectRow, sparsity mode (pattern.m == 0): exactly PrunedCount(n, sparsity) entries of
//    `keep` are 0 — those of lowest score, among equal scores the lower column index first; the
//    rest are 1.
//  - SelectRow, pattern mode: in every group of pattern.m consecutive columns exactly pattern.n
//    entries are 1 (the highest scores; among equal scores the lower index is kept).
//    REQUIRES: 1 <= n < m, m divides the row length.
//  - SelectTensor: exactly PrunedCount(n, sparsity) entries of `keep` are 0 over all n scores
//    (a whole tensor, row-major), those of lowest score, among equal scores the lower index.
//  - RowScores: magnitude |w_j|, or |w_j| * norm_j when norm is non-null (Wanda: norm_j is the
//    input column's activation norm sqrt(mean x_j^2)).
#pragma once

#include <cstdint>
#include <vector>

#include "compress/prune.h"

namespace miaotui::compress {

// floor(sparsity * n), robust to rounding (0.3 * 10 is 3).
int64_t PrunedCount(int64_t n, double sparsity);

void RowScores(const float* w, const float* norm, int64_t n, float* score);

// scratch is resized as needed (reused across rows to avoid allocations).
void SelectRow(const float* score, int64_t n, double sparsity, NmPattern pattern, uint8_t* keep,
               std::vector<int32_t>& scratch);

void SelectTensor(const float* score, int64_t n, double sparsity, uint8_t* keep);

}  // namespace miaotui::compress
