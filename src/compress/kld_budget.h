// `miaotui quantize --max-kld X`: the smallest quantized file whose measured mean
// KL(input || quantized) on an evaluation text is at most X, searched over per-tensor types.
//
// Every type comes from a ladder, smallest first (default Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_0);
// a tensor whose rows do not fit a ladder type's block gets the smallest of Q4_0, Q5_0, Q8_0
// with at least that type's bits per weight whose block fits, and a tensor whose rows fit none
// of them is left to the Q8_0 preset's rule (F16 fallback) and not searched. Only the tensors
// llama-quantize would quantize (tensor_type_rule.h) are searched.
//
// The search, every step measured (quantize to a temporary file beside OUT, load it, KL against
// the input model on the same windows, compress/perplexity.h):
//  1. The top of the ladder everywhere; if even that misses the budget, the search fails and
//     names the KL it measured.
//  2. Bisection over one ladder level for every tensor: the lowest uniform level within budget.
//  3. Greedy refinement: tensors in order of the bytes one step down saves (largest first) are
//     tried one level lower, each kept only when the measured KL stays within the budget;
//     passes repeat while something was kept.
// At most max_evals measurements in all; the best file within budget is renamed to OUT.
// Temporary files are removed on success and failure.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "compress/perplexity.h"
#include "compress/quantize.h"
#include "tensor/dtype.h"

namespace miaotui::compress {

struct KldBudgetOptions {
  double max_kld = 0;  // > 0
  std::vector<DType> ladder = {DType::kQ2_K, DType::kQ3_K, DType::kQ4_K,
                               DType::kQ5_K, DType::kQ6_K, DType::kQ8_0};
  int max_evals = 24;  // >= 2
  PerplexityOptions eval;  // windows of the evaluation text; eval.n_threads is used throughout
  const ImportanceMatrix* importance = nullptr;  // importance-weighted scales when set
  // Called after each measurement: (what was tried, file bytes, mean KL, within budget).
  std::function<void(const std::string&, uint64_t, double, bool)> progress;
};

struct KldTrial {
  std::string what;  // "uniform Q4_K", "blk.3.ffn_up.weight -> Q3_K", ...
  uint64_t file_bytes = 0;
  double mean_kl = 0, mean_kl_error = 0;
  bool within = false;
};

struct KldBudgetResult {
  std::map<std::string, DType> types;  // the searched tensors' types in the file written
  QuantizeReport quantize;             // of the file written (every tensor's type)
  PerplexityResult measured;           // of the file written, against the input
  std::vector<KldTrial> trials;        // in order
};

// Errors: max_kld <= 0 or not finite, an empty or unordered ladder, max_evals < 2, an input
// that cannot be read or quantized, a text too short for two windows, and a budget that even
// the top of the ladder misses (the message names the KL measured there).
Result<KldBudgetResult> QuantizeWithinKld(const std::string& in_path, const std::string& out_path,
                                          const std::string& eval_text,
                                          const KldBudgetOptions& options);

}  // namespace miaotui::compress
