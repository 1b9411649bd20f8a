// The accuracy budget of `miaotui prune --max-ppl-increase X`: the most pruning whose measured
// perplexity on an evaluation text stays within X of the unpruned model's.
//
// Contract:
//  - One knob is searched globally (the same value in every layer): the unstructured sparsity
//    (with the method of `base`), or the FFN keep ratio. The other options of `base` are applied
//    as given. The search is a bisection over [0, max_sparsity] (resp. [min_ffn_keep, 1]) with at
//    most max_evals pruned models evaluated after the base, on the first eval_chunks windows of
//    the eval text; each candidate is written to OUT and measured by loading it like any model.
//    The FFN knob is reported as the kept width reached (n_ff_to / n_ff, granules, see prune.h);
//    the search stops early when a candidate reaches a width already measured.
//  - The result is the most-pruned candidate measured within the budget (PPL increase <= X,
//    absolute), written to OUT, with every evaluation made. When none is within the budget the
//    result says so (within = false) and OUT holds the least-pruned candidate measured.
//  - Errors: max_ppl_increase <= 0, an eval text too short for the windows, anything Prune or
//    Perplexity reports.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "compress/prune.h"

namespace miaotui::compress {

enum class BudgetKnob { kSparsity, kFfnKeep };

struct BudgetOptions {
  double max_ppl_increase = 0;
  BudgetKnob knob = BudgetKnob::kSparsity;
  std::string eval_text;
  int64_t eval_ctx = 128;
  int64_t eval_chunks = 16;
  int max_evals = 6;
  double max_sparsity = 0.9;
  double min_ffn_keep = 0.1;
  std::function<void(double knob, double ppl)> progress;  // after each evaluation
};

struct BudgetStep {
  double knob = 0;  // sparsity or FFN keep ratio
  double ppl = 0;
  bool within = false;
};

struct BudgetResult {
  double base_ppl = 0;
  std::vector<BudgetStep> steps;  // in evaluation order
  BudgetStep chosen;
  bool within = false;
  PruneReport report;  // of the model written to OUT
};

Result<BudgetResult> PruneToBudget(const std::string& in_path, const std::string& out_path,
                                   const PruneOptions& base, const BudgetOptions& budget);

}  // namespace miaotui::compress
