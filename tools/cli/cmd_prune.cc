// miaotui prune: unstructured (magnitude or Wanda), N:M and structured (FFN channels, attention
// head groups, layers) pruning of a Llama-family GGUF, optionally quantized afterwards (--type),
// or the most pruning within a perplexity budget (--max-ppl-increase). See docs/PRUNING.md.
#include <cstdio>
#include <sstream>

#include "args.h"
#include "base/mmap_file.h"
#include "commands.h"
#include "compress/importance.h"
#include "compress/prune.h"
#include "compress/prune_budget.h"
#include "progress.h"

namespace miaotui::cli {
namespace {

double MiB(uint64_t bytes) { return bytes / 1048576.0; }

Result<std::vector<int64_t>> ParseLayers(const std::string& text) {
  std::vector<int64_t> layers;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty() || item.size() > 6 || item.find_first_not_of("0123456789") != item.npos) {
      return InvalidArgument("--drop-layers '" + text + "': expected layer indices like 3,5");
    }
    layers.push_back(std::stoll(item));
  }
  return layers;
}

void PrintReport(const compress::PruneReport& r) {
  for (const auto& t : r.tensors) {
    std::printf("%-32s %-14s -> %-14s zeros %5.1f%%\n", t.name.c_str(), t.from.ToString().c_str(),
                t.to.ToString().c_str(), t.n_total ? 100.0 * t.n_zero / t.n_total : 0.0);
  }
  for (const std::string& note : r.notes) std::fprintf(stderr, "note: %s\n", note.c_str());
  std::printf("layers %lld -> %lld, feed_forward_length %lld -> %lld, heads %lld/%lld -> %lld/%lld "
              "(query/KV)\n",
              static_cast<long long>(r.n_layer_from), static_cast<long long>(r.n_layer_to),
              static_cast<long long>(r.n_ff_from), static_cast<long long>(r.n_ff_to),
              static_cast<long long>(r.n_head_from), static_cast<long long>(r.n_head_kv_from),
              static_cast<long long>(r.n_head_to), static_cast<long long>(r.n_head_kv_to));
  if (r.n_prunable > 0) {
    std::printf("sparsity of the pruned projections: %.2f%%\n", 100.0 * r.n_zero / r.n_prunable);
  }
  std::printf("%.2f MiB -> %.2f MiB\n", MiB(r.in_file_bytes), MiB(r.out_file_bytes));
}

// "sparsity 0.5000", "probe layer 2: 0.5,0.5,0.7,0.5", "layers 0.52,0.61,...".
std::string DescribeStep(const compress::BudgetStep& s, const std::string& knob) {
  char buf[64];
  std::string text;
  if (s.phase == compress::BudgetPhase::kGlobal) {
    std::snprintf(buf, sizeof buf, "%s %.4f", knob == "layers" ? "sparsity" : knob.c_str(),
                  s.knob);
    return buf;
  }
  if (s.phase == compress::BudgetPhase::kProbe) {
    text = "probe layer " + std::to_string(s.probed_layer) + " at";
  } else {
    std::snprintf(buf, sizeof buf, "per-layer, mean %.4f:", s.knob);
    text = buf;
  }
  for (size_t l = 0; l < s.layers.size(); ++l) {
    std::snprintf(buf, sizeof buf, "%s%.3f", l ? "," : " ", s.layers[l]);
    text += buf;
  }
  std::snprintf(buf, sizeof buf, " (zeros %.2f%%)", 100 * s.zeros);
  return text + buf;
}

}  // namespace

int PruneCommand(int argc, char** argv) {
  std::string in, out, method = "magnitude", group, pattern, calib, type, drop, eval, knob = "sparsity";
  float sparsity = 0, ffn_keep = 1, heads_keep = 1, max_ppl = 0, layer_spread = 0.1f;
  int32_t threads = 0;
  int64_t calib_ctx = 128, calib_chunks = 64, eval_ctx = 128, eval_chunks = 16;
  int32_t max_evals = 6;
  ArgParser p("miaotui prune",
              "Prune a Llama-family F32/F16/BF16 GGUF: zero weights (magnitude or Wanda, per row "
              "or N:M) or remove FFN channels, attention heads and layers.");
  p.Positional("IN", &in, "input model (GGUF)", true);
  p.Positional("OUT", &out, "output GGUF (written atomically; never the input)", true);
  p.Option("method", "", &method, "M", "magnitude (|w|) or wanda (|w| x activation norm)");
  p.Option("sparsity", "", &sparsity, "S", "fraction of the weights zeroed, in [0, 1)");
  p.Option("group", "", &group, "G", "where weights compete: row (wanda's default) or tensor "
           "(magnitude's, as in the Wanda paper)");
  p.Option("pattern", "", &pattern, "N:M", "keep N of every M consecutive weights (e.g. 2:4)");
  p.Option("calib", "", &calib, "TEXT", "calibration text (activation norms for wanda and "
           "for structured scores)");
  p.Option("calib-ctx", "", &calib_ctx, "N", "calibration window in tokens (default 128)");
  p.Option("calib-chunks", "", &calib_chunks, "N", "at most N calibration windows (default 64)");
  p.Option("ffn-keep", "", &ffn_keep, "R", "keep this fraction of FFN channels (structured)");
  p.Option("heads-keep", "", &heads_keep, "R", "keep this fraction of KV head groups");
  p.Option("drop-layers", "", &drop, "LIST", "remove these layers, e.g. 3,5");
  p.Option("type", "", &type, "QTYPE", "then quantize (Q4_K_M, Q8_0, ...)");
  p.Option("max-ppl-increase", "", &max_ppl, "X",
           "search the most pruning whose perplexity rises by at most X (needs --eval)");
  p.Option("search", "", &knob, "K", "knob of the budget search: sparsity (default, one for "
           "every layer), layers (a sparsity per layer) or ffn-keep");
  p.Option("layer-spread", "", &layer_spread, "D", "--search layers: largest difference of a "
           "layer's sparsity from the mean (default 0.1)");
  p.Option("eval", "", &eval, "TEXT", "evaluation text of the budget search");
  p.Option("eval-ctx", "", &eval_ctx, "N", "budget evaluation window (default 128)");
  p.Option("eval-chunks", "", &eval_chunks, "N", "budget evaluation windows (default 16)");
  p.Option("max-evals", "", &max_evals, "N", "pruned models evaluated by the search (default 6)");
  p.Option("threads", "t", &threads, "N", "threads (default: all cores)");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;

  compress::PruneOptions o;
  auto m = compress::ParsePruneMethod(method);
  if (!m.ok()) return Fail(m.status());
  o.method = *m;
  o.sparsity = sparsity;
  if (!group.empty()) {
    auto g = compress::ParsePruneGroup(group);
    if (!g.ok()) return Fail(g.status());
    o.group = *g;
  }
  if (!pattern.empty()) {
    auto nm = compress::ParseNmPattern(pattern);
    if (!nm.ok()) return Fail(nm.status());
    o.pattern = *nm;
  }
  o.ffn_keep = ffn_keep;
  o.heads_keep = heads_keep;
  o.type = type;
  o.n_threads = threads;
  if (!drop.empty()) {
    auto layers = ParseLayers(drop);
    if (!layers.ok()) return Fail(layers.status());
    o.drop_layers = *layers;
  }
  const bool budget = p.WasSet("max-ppl-increase");
  if (budget && knob != "sparsity" && knob != "ffn-keep" && knob != "layers") {
    return Fail(
        InvalidArgument("--search '" + knob + "' is not one of sparsity, ffn-keep, layers"));
  }
  if (budget && eval.empty()) return Fail(InvalidArgument("--max-ppl-increase needs --eval TEXT"));
  if (method == "wanda" && calib.empty()) {
    return Fail(InvalidArgument("--method wanda needs --calib TEXT (activation norms)"));
  }
  compress::ImportanceMatrix importance;
  if (!calib.empty()) {
    auto text = ReadFileToString(calib);
    if (!text.ok()) return Fail(text.status().WithPrefix("--calib"));
    compress::CalibrationOptions co;
    co.n_ctx = calib_ctx;
    co.n_chunks = calib_chunks;
    co.n_threads = threads;
    ProgressBar bar("calibration");
    co.progress = [&](int64_t done, int64_t total) { bar.Update(done, total); };
    auto imp = compress::CalibrateForPruning(in, *text, co);
    bar.Finish();
    if (!imp.ok()) return Fail(imp.status().WithPrefix("--calib " + calib));
    std::fprintf(stderr, "calibration: statistics for %zu tensors\n", imp->size());
    importance = std::move(*imp);
    o.importance = &importance;
  }

  if (!budget) {
    auto r = compress::Prune(in, out, o);
    if (!r.ok()) return Fail(r.status());
    PrintReport(*r);
    return 0;
  }
  compress::BudgetOptions b;
  b.max_ppl_increase = max_ppl;
  b.knob = knob == "ffn-keep"  ? compress::BudgetKnob::kFfnKeep
           : knob == "layers" ? compress::BudgetKnob::kLayers
                              : compress::BudgetKnob::kSparsity;
  b.layer_spread = layer_spread;
  auto text = ReadFileToString(eval);
  if (!text.ok()) return Fail(text.status().WithPrefix("--eval"));
  b.eval_text = std::move(*text);
  b.eval_ctx = eval_ctx;
  b.eval_chunks = eval_chunks;
  b.max_evals = max_evals;
  b.progress = [&](const compress::BudgetStep& s) {
    std::fprintf(stderr, "budget: %s -> PPL %.4f%s\n", DescribeStep(s, knob).c_str(), s.ppl,
                 s.within ? "" : " (over)");
  };
  auto r = compress::PruneToBudget(in, out, o, b);
  if (!r.ok()) return Fail(r.status());
  PrintReport(r->report);
  std::printf("budget: base PPL %.4f, allowed +%.4f; tried:\n", r->base_ppl, max_ppl);
  for (const auto& s : r->steps) {
    std::printf("  %s: PPL %.4f%s\n", DescribeStep(s, knob).c_str(), s.ppl,
                s.within ? "" : " (over)");
  }
  std::printf("%s: %s, PPL %.4f (+%.4f) on %lld windows of %lld tokens\n",
              r->within ? "chosen" : "NOT within the budget; least pruned tried",
              DescribeStep(r->chosen, knob).c_str(), r->chosen.ppl, r->chosen.ppl - r->base_ppl,
              static_cast<long long>(eval_chunks), static_cast<long long>(eval_ctx));
  return r->within ? 0 : 1;
}

}  // namespace miaotui::cli
