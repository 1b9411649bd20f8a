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
//  - kLayers (per-layer sparsity): first the global sparsity bisection above; then, when it found
//    a sparsity s0 within the budget and a larger s1 over it, one probe per layer measures the
//    layer's sensitivity (that layer at s1, the others at s0: cost_l = log PPL_l - log PPL(s0)),
//    which sets a profile of offsets o_l = spread * (mean cost - cost_l) / max |mean cost -
//    cost_l| (zero mean: less sensitive layers get more sparsity); then a second bisection, of the
//    mean sparsity m over [s0, min(max_sparsity, s1 + spread)], prunes layer l at
//    clamp(m + o_l, 0, max_sparsity), with at most max_evals more models. The result is the
//    candidate within the budget with the most zeros over the pruned projections, uniform or
//    per-layer; its per-layer sparsities are in `chosen.layers` (empty when uniform won).
//    Evaluations: at most 2 * max_evals + n_layer after the base.
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

enum class BudgetKnob { kSparsity, kFfnKeep, kLayers };

enum class BudgetPhase { kGlobal, kProbe, kPerLayer };

struct BudgetStep {
  double knob = 0;  // sparsity (kPerLayer: the mean, kProbe: the probed layer's) or FFN keep
  double ppl = 0;
  bool within = false;
  BudgetPhase phase = BudgetPhase::kGlobal;
  int64_t probed_layer = -1;  // kProbe
  std::vector<double> layers;  // kProbe, kPerLayer: the sparsity of every layer
  double zeros = 0;            // fraction of the pruned projections' weights that are zero
};

struct BudgetOptions {
  double max_ppl_increase = 0;
  BudgetKnob knob = BudgetKnob::kSparsity;
  std::string eval_text;
  int64_t eval_ctx = 128;
  int64_t eval_chunks = 16;
  int max_evals = 6;
  double max_sparsity = 0.9;
  double min_ffn_keep = 0.1;
  double layer_spread = 0.1;  // kLayers: largest offset of a layer's sparsity from the mean
  std::function<void(const BudgetStep&)> progress;  // after each evaluation
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
