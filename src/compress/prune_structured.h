// The pieces of structured pruning: kept widths, channel/head scores and row/column selection on
// dense float matrices (prune.cc reads a GGUF tensor into a FloatMatrix, plans, writes back).
//
// Contract:
//  - FloatMatrix holds `rows` rows of `cols` floats (GGUF order: a linear layer (in, out) has
//    rows = out, cols = in).
//  - FfnKeptWidth: the largest multiple of the granule not above keep * n_ff, at least one
//    granule. The granule is 256 when n_ff is 16 or more multiples of 256 (K-quant rows stay
//    whole), else 32 when n_ff is 16 or more multiples of 32, else 1. KvGroupsKept: round(keep * n_head_kv), in [1, n_head_kv].
//  - AddRowScores adds sum_j |w_rj| * norm_j to out[r / group]; AddColumnScores adds
//    sum_r |w_rj| * norm_j to out[j / group] (norm null: 1). out must be large enough.
//  - TopIndices: the indices of the `count` highest scores in ascending order (among equal
//    scores the lower index is kept).
//  - ExpandGroups: group g -> indices [g * size, (g + 1) * size), in order.
#pragma once

#include <cstdint>
#include <vector>

namespace miaotui::compress {

struct FloatMatrix {
  int64_t cols = 0, rows = 0;
  std::vector<float> v;
  float* Row(int64_t r) { return v.data() + r * cols; }
  const float* Row(int64_t r) const { return v.data() + r * cols; }
};

int64_t FfnKeptWidth(int64_t n_ff, double keep);
int64_t KvGroupsKept(int64_t n_head_kv, double keep);

void AddRowScores(const FloatMatrix& w, const float* norm, int64_t group,
                  std::vector<double>& out);
void AddColumnScores(const FloatMatrix& w, const float* norm, int64_t group,
                     std::vector<double>& out);

std::vector<int64_t> TopIndices(const std::vector<double>& score, int64_t count);
std::vector<int64_t> ExpandGroups(const std::vector<int64_t>& groups, int64_t size);

FloatMatrix SelectRows(const FloatMatrix& m, const std::vector<int64_t>& rows);
FloatMatrix SelectColumns(const FloatMatrix& m, const std::vector<int64_t>& cols);
// Elements of a vector (a bias, an importance vector).
std::vector<float> SelectElements(const std::vector<float>& v, const std::vector<int64_t>& idx);

}  // namespace miaotui::compress
