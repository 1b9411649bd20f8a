#include "compress/prune_budget.h"

#include <algorithm>
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

// Prunes and measures candidates; OUT holds the model adopted so far.
class Search {
 public:
  Search(const std::string& in, const std::string& out, const BudgetOptions& b,
         std::vector<int32_t> tokens, const PerplexityOptions& po, BudgetResult* result)
      : in_(in), out_(out), candidate_(out + ".budget-candidate.gguf"), b_(b),
        tokens_(std::move(tokens)), po_(po), r_(result) {}
  ~Search() {
    std::error_code ec;
    std::filesystem::remove(candidate_, ec);
  }

  // Prunes with o and measures it; the step is recorded (knob and phase as given). Returns the
  // step and leaves the model in the candidate file (Adopt moves it to OUT). The FFN width moves
  // in granules: its knob is the width reached, and a width measured before is not measured
  // again (*repeated set, nothing recorded).
  Result<BudgetStep> Try(const PruneOptions& o, BudgetStep step, bool* repeated = nullptr) {
    MT_ASSIGN_OR_RETURN(last_report_, Prune(in_, candidate_, o));
    if (step.phase == BudgetPhase::kGlobal && b_.knob == BudgetKnob::kFfnKeep) {
      step.knob = static_cast<double>(last_report_.n_ff_to) / last_report_.n_ff_from;
      for (const BudgetStep& s : r_->steps) {
        if (s.knob == step.knob && repeated) *repeated = true;
      }
      if (repeated && *repeated) return step;
    }
    MT_ASSIGN_OR_RETURN(step.ppl, MeasurePpl(candidate_, tokens_, po_));
    step.within = step.ppl - r_->base_ppl <= b_.max_ppl_increase;
    step.zeros = last_report_.n_prunable > 0
                     ? static_cast<double>(last_report_.n_zero) / last_report_.n_prunable
                     : 0;
    r_->steps.push_back(step);
    if (b_.progress) b_.progress(step);
    return step;
  }

  // The last candidate becomes the result (written to OUT).
  Status Adopt(const BudgetStep& step) {
    std::error_code ec;
    std::filesystem::rename(candidate_, out_, ec);
    if (ec) return Internal("cannot move " + candidate_ + " to " + out_ + ": " + ec.message());
    r_->chosen = step;
    r_->report = last_report_;
    return Status::Ok();
  }

 private:
  std::string in_, out_, candidate_;
  const BudgetOptions& b_;
  std::vector<int32_t> tokens_;
  PerplexityOptions po_;
  BudgetResult* r_;
  PruneReport last_report_;
};

// Bisection of one global knob on "how much is pruned" p in [0, 1]: sparsity = p *
// max_sparsity, or keep = 1 - p * (1 - min_ffn_keep). lo is known within the budget, hi is not
// (or untested). Returns hi as a knob value (the smallest measured over the budget; -1 if none).
Result<double> GlobalBisection(Search& search, const PruneOptions& base, const BudgetOptions& b,
                               BudgetResult& result) {
  const bool sparsity = b.knob != BudgetKnob::kFfnKeep;
  auto knob_of = [&](double p) {
    return sparsity ? p * b.max_sparsity : 1 - p * (1 - b.min_ffn_keep);
  };
  double lo = 0, hi = 1;
  bool have_best = false;
  double over = -1;
  for (int i = 0; i < b.max_evals; ++i) {
    const double p = i == 0 ? 1.0 : (lo + hi) / 2;
    PruneOptions o = base;
    (sparsity ? o.sparsity : o.ffn_keep) = knob_of(p);
    BudgetStep step;
    step.knob = knob_of(p);
    bool repeated = false;
    MT_ASSIGN_OR_RETURN(step, search.Try(o, step, &repeated));
    if (repeated) break;  // a width measured before: the bisection has converged
    if (step.within) {
      lo = p;
      have_best = true;
      MT_RETURN_IF_ERROR(search.Adopt(step));
      if (i == 0) break;  // everything allowed is within the budget
    } else {
      hi = p;
      over = step.knob;
      if (!have_best) MT_RETURN_IF_ERROR(search.Adopt(step));  // the least pruned yet
    }
  }
  result.within = have_best;
  return over;
}

// Per-layer phase of kLayers (see prune_budget.h).
Status PerLayerSearch(Search& search, const PruneOptions& base, const BudgetOptions& b,
                      int64_t n_layer, double s0, double s1, BudgetResult& result) {
  const double ppl0 = result.chosen.ppl;
  std::vector<double> cost(static_cast<size_t>(n_layer));
  for (int64_t l = 0; l < n_layer; ++l) {
    PruneOptions o = base;
    o.sparsity = 0;
    o.layer_sparsity.assign(static_cast<size_t>(n_layer), s0);
    o.layer_sparsity[l] = s1;
    BudgetStep step;
    step.phase = BudgetPhase::kProbe;
    step.knob = s1;
    step.probed_layer = l;
    step.layers = o.layer_sparsity;
    MT_ASSIGN_OR_RETURN(step, search.Try(o, step));
    cost[l] = std::log(step.ppl) - std::log(ppl0);
  }
  double mean = 0;
  for (double c : cost) mean += c / n_layer;
  double widest = 0;
  for (double c : cost) widest = std::max(widest, std::fabs(mean - c));
  if (!(widest > 0)) return Status::Ok();  // every layer alike: the uniform result stands
  std::vector<double> offset(cost.size());
  for (size_t l = 0; l < cost.size(); ++l) offset[l] = b.layer_spread * (mean - cost[l]) / widest;

  double lo = s0, hi = std::min(b.max_sparsity, s1 + b.layer_spread);
  for (int i = 0; i < b.max_evals; ++i) {
    const double m = (lo + hi) / 2;
    PruneOptions o = base;
    o.sparsity = 0;
    o.layer_sparsity.resize(cost.size());
    for (size_t l = 0; l < cost.size(); ++l) {
      o.layer_sparsity[l] = std::clamp(m + offset[l], 0.0, b.max_sparsity);
    }
    BudgetStep step;
    step.phase = BudgetPhase::kPerLayer;
    step.knob = m;
    step.layers = o.layer_sparsity;
    MT_ASSIGN_OR_RETURN(step, search.Try(o, step));
    if (step.within) {
      lo = m;
      if (step.zeros > result.chosen.zeros) MT_RETURN_IF_ERROR(search.Adopt(step));
    } else {
      hi = m;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<BudgetResult> PruneToBudget(const std::string& in_path, const std::string& out_path,
                                   const PruneOptions& base, const BudgetOptions& b) {
  if (!(b.max_ppl_increase > 0)) {
    return InvalidArgument("--max-ppl-increase " + std::to_string(b.max_ppl_increase) +
                           " must be > 0");
  }
  if (b.knob == BudgetKnob::kLayers && base.pattern.m != 0) {
    return InvalidArgument("the per-layer search prunes by sparsity; --pattern does not apply");
  }
  MT_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> base_model, models::LoadModel(in_path));
  std::vector<int32_t> tokens = base_model->tokenizer().Encode(b.eval_text, /*add_special=*/true);
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
  const int64_t n_layer = base_model->info().n_layer;
  base_model.reset();

  Search search(in_path, out_path, b, std::move(tokens), po, &result);
  MT_ASSIGN_OR_RETURN(const double over, GlobalBisection(search, base, b, result));
  if (b.knob == BudgetKnob::kLayers && result.within && over > 0 && n_layer > 1) {
    MT_RETURN_IF_ERROR(
        PerLayerSearch(search, base, b, n_layer, result.chosen.knob, over, result));
  }
  return result;
}

}  // namespace miaotui::compress
