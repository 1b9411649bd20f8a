#include "compress/prune_budget.h"

#include <cmath>
#include <filesystem>
#include <memory>

#include "compress/perplexity.h"
#include "models/model.h"

namespace miaotui::compress {
namespace {

Result<double> MeasurePpl(const std::string& path, const std::vector<int32_t>& tokens,
                          const PerplexityOptions& po) {
  MT_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> m, models::LoadModel(path));
  MT_ASSIGN_OR_RETURN(PerplexityResult r, PerplexityOfTokens(*m, nullptr, tokens, po));
  return r.ppl;
}

}  // namespace

Result<BudgetResult> PruneToBudget(const std::string& in_path, const std::string& out_path,
                                   const PruneOptions& base, const BudgetOptions& b) {
  if (!(b.max_ppl_increase > 0)) {
    return InvalidArgument("--max-ppl-increase " + std::to_string(b.max_ppl_increase) +
                           " must be > 0");
  }
  MT_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> base_model, models::LoadModel(in_path));
  const std::vector<int32_t> tokens =
      base_model->tokenizer().Encode(b.eval_text, /*add_special=*/true);
  PerplexityOptions po;
  po.n_ctx = b.eval_ctx;
  po.n_chunks = b.eval_chunks;
  po.n_threads = base.n_threads;
  if (static_cast<int64_t>(tokens.size()) < 2 * b.eval_ctx) {
    return InvalidArgument("the eval text has " + std::to_string(tokens.size()) +
                           " tokens; the budget search needs at least " +
                           std::to_string(2 * b.eval_ctx) + " (two windows of --eval-ctx)");
  }
  BudgetResult result;
  {
    MT_ASSIGN_OR_RETURN(PerplexityResult r, PerplexityOfTokens(*base_model, nullptr, tokens, po));
    result.base_ppl = r.ppl;
  }
  base_model.reset();

  // Bisection on "how much is pruned" p in [0, 1]: sparsity = p * max_sparsity, or
  // keep = 1 - p * (1 - min_ffn_keep). lo is known within the budget, hi is not (or untested).
  const bool sparsity = b.knob == BudgetKnob::kSparsity;
  auto knob_of = [&](double p) {
    return sparsity ? p * b.max_sparsity : 1 - p * (1 - b.min_ffn_keep);
  };
  const std::string candidate = out_path + ".budget-candidate.gguf";
  double lo = 0, hi = 1;
  bool have_best = false;
  BudgetStep least;  // the least-pruned evaluated, in case none is within the budget
  for (int i = 0; i < b.max_evals; ++i) {
    const double p = i == 0 ? 1.0 : (lo + hi) / 2;
    PruneOptions o = base;
    (sparsity ? o.sparsity : o.ffn_keep) = knob_of(p);
    auto report = Prune(in_path, candidate, o);
    if (!report.ok()) return report.status();
    // The FFN width moves in granules: the knob is the width reached, and a width measured
    // before means the bisection has converged.
    const double knob = sparsity ? knob_of(p)
                                 : static_cast<double>(report->n_ff_to) / report->n_ff_from;
    bool seen = false;
    for (const BudgetStep& s : result.steps) seen = seen || s.knob == knob;
    if (seen) break;
    auto ppl = MeasurePpl(candidate, tokens, po);
    if (!ppl.ok()) return ppl.status();
    BudgetStep step{knob, *ppl, *ppl - result.base_ppl <= b.max_ppl_increase};
    result.steps.push_back(step);
    if (b.progress) b.progress(step.knob, step.ppl);
    std::error_code ec;
    if (step.within) {
      lo = p;
      have_best = true;
      result.chosen = step;
      result.report = *report;
      std::filesystem::rename(candidate, out_path, ec);
      if (ec) return Internal("cannot move " + candidate + " to " + out_path + ": " + ec.message());
      if (i == 0) break;  // everything allowed is within the budget
    } else {
      hi = p;
      if (!have_best) {  // p only decreases until one is within: this is the least pruned yet
        least = step;
        result.report = *report;
        std::filesystem::rename(candidate, out_path, ec);
        if (ec) return Internal("cannot move " + candidate + " to " + out_path);
      }
    }
  }
  std::error_code ec;
  std::filesystem::remove(candidate, ec);
  result.within = have_best;
  if (!have_best) result.chosen = least;
  return result;
}

}  // namespace miaotui::compress
