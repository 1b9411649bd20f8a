// miaotui quantize: writes a quantized GGUF from an F32/F16/BF16 GGUF with llama-quantize's
// presets and per-tensor mix; --pure for one type throughout; --calib TEXT for calibration-aware
// (importance-weighted) scales; --max-kld X for the smallest per-tensor mix within a measured KL
// divergence budget (compress/kld_budget.h).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <fstream>
#include <iterator>

#include "args.h"
#include "compress/hf_convert.h"
#include "commands.h"
#include "compress/importance.h"
#include "compress/kld_budget.h"
#include "compress/quantize.h"
#include "progress.h"

namespace miaotui::cli {
namespace {

double MiB(uint64_t bytes) { return bytes / 1048576.0; }

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the calibration text");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// --max-kld: the search of kld_budget.h over the eval text (the calibration text by default),
// in windows of --calib-ctx tokens, at most --calib-chunks of them.
int QuantizeToKldBudget(const std::string& in, const std::string& out, float max_kld,
                        const std::string& eval_text, int32_t max_evals, int32_t threads,
                        int64_t n_ctx, int64_t n_chunks, const compress::ImportanceMatrix* imp) {
  compress::KldBudgetOptions ko;
  ko.max_kld = max_kld;
  ko.max_evals = max_evals;
  ko.importance = imp;
  ko.eval.n_ctx = n_ctx;
  ko.eval.n_chunks = n_chunks;
  ko.eval.n_threads = threads;
  ko.progress = [](const std::string& what, uint64_t bytes, double kl, bool within) {
    std::fprintf(stderr, "try %-40s %8.2f MiB  KL %.6f  %s\n", what.c_str(), MiB(bytes), kl,
                 within ? "within" : "over");
  };
  auto r = compress::QuantizeWithinKld(in, out, eval_text, ko);
  if (!r.ok()) return Fail(r.status());
  for (const auto& t : r->quantize.tensors) {
    std::printf("%-32s %-6s -> %s\n", t.name.c_str(), DTypeName(t.from), DTypeName(t.to));
  }
  std::printf("max-kld %g: mean KL %.6f +/- %.6f (top-1 agreement %.2f %%, PPL %.4f vs %.4f) "
              "after %zu measurements: %.2f MiB -> %.2f MiB\n",
              max_kld, r->measured.mean_kl, r->measured.mean_kl_error,
              100 * r->measured.top1_agree, r->measured.ppl, r->measured.base_ppl,
              r->trials.size(), MiB(r->quantize.in_file_bytes), MiB(r->quantize.out_file_bytes));
  return 0;
}

}  // namespace

int QuantizeCommand(int argc, char** argv) {
  std::string in, out, type, calib;
  bool pure = false;
  int32_t threads = 0;
  int64_t calib_ctx = 128, calib_chunks = 64;
  float max_kld = 0;
  std::string eval_path;
  int32_t max_evals = 24;
  ArgParser p("miaotui quantize",
              "Write a quantized GGUF from an F32/F16/BF16 GGUF (llama-quantize's types and "
              "per-tensor mixes).");
  p.Positional("IN", &in, "input model (GGUF)", true);
  p.Positional("OUT", &out, "output GGUF (written atomically; never the input)", true);
  p.Option("type", "", &type, "TYPE", "Q4_K_M, Q8_0, ... (an unknown name lists them all)");
  p.Flag("pure", "", &pure, "every 2-D tensor gets TYPE (no preset mix)");
  p.Option("threads", "t", &threads, "N", "threads (default: all cores)");
  p.Option("calib", "", &calib, "TEXT", "calibration text: importance-weighted scales");
  p.Option("calib-ctx", "", &calib_ctx, "N", "calibration window in tokens (default 128)");
  p.Option("calib-chunks", "", &calib_chunks, "N", "at most N calibration windows (default 64)");
  p.Option("max-kld", "", &max_kld, "X",
           "search per-tensor types (Q2_K..Q8_0) for the smallest file whose measured mean KL "
           "against IN is <= X (needs --calib)");
  p.Option("eval", "", &eval_path, "TEXT", "--max-kld: measure KL on this text (default: --calib)");
  p.Option("max-evals", "", &max_evals, "N", "--max-kld: at most N measurements (default 24)");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  const bool budget = p.WasSet("max-kld");
  if (budget) {
    if (!(max_kld > 0)) {
      return Fail(InvalidArgument("option --max-kld: expected a positive KL divergence, got " +
                                  std::to_string(max_kld)));
    }
    if (calib.empty()) return Fail(InvalidArgument("--max-kld needs --calib TEXT"));
    if (!type.empty()) return Fail(InvalidArgument("--max-kld chooses the types; drop --type"));
    type = "Q8_0";  // only validated below; the search picks every type
  }
  if (type.empty()) {
    return Fail(InvalidArgument("no type given (use --type TYPE; valid: " +
                                compress::QuantPresetNames() + ")"));
  }
  if (auto preset = compress::ParseQuantPreset(type); !preset.ok()) return Fail(preset.status());

  // A Hugging Face folder is first converted to an F32 GGUF beside OUT (removed afterwards), so
  // presets, --pure and --calib work the same for both inputs.
  std::error_code ec;
  std::unique_ptr<std::string, void (*)(std::string*)> staged(nullptr, [](std::string* p) {
    std::error_code e;
    std::filesystem::remove(*p, e);
    delete p;
  });
  if (std::filesystem::is_directory(in, ec)) {
    staged.reset(new std::string(out + ".f32-staging.gguf"));
    compress::ConvertOptions co;
    co.type = "F32";
    co.n_threads = threads;
    auto conv = compress::ConvertHfToGguf(in, *staged, co);
    if (!conv.ok()) return Fail(conv.status());
    std::fprintf(stderr, "converted %s to F32 GGUF for quantization\n", in.c_str());
    in = *staged;
  }

  compress::ImportanceMatrix importance;
  std::string calib_text;
  compress::QuantizeOptions o;
  o.type = type;
  o.pure = pure;
  o.n_threads = threads;
  if (!calib.empty()) {
    auto text = ReadText(calib);
    if (!text.ok()) return Fail(text.status());
    compress::CalibrationOptions co;
    co.n_ctx = calib_ctx;
    co.n_chunks = calib_chunks;
    co.n_threads = threads;
    ProgressBar bar("calibration");
    co.progress = [&](int64_t done, int64_t total) { bar.Update(done, total); };
    calib_text = *text;
    auto imp = compress::CollectImportance(in, *text, co);
    bar.Finish();
    if (!imp.ok()) return Fail(imp.status());
    std::fprintf(stderr, "calibration: %lld tokens, importance for %zu tensors\n",
                 static_cast<long long>(imp->n_tokens), imp->matrix.size());
    importance = std::move(imp->matrix);
    o.importance = &importance;
  }
  if (budget) {
    std::string eval_text = calib_text;
    if (!eval_path.empty()) {
      auto t = ReadText(eval_path);
      if (!t.ok()) return Fail(t.status());
      eval_text = std::move(*t);
    }
    return QuantizeToKldBudget(in, out, max_kld, eval_text, max_evals, threads, calib_ctx,
                               calib_chunks, o.importance);
  }
  ProgressBar bar("quantize");
  o.progress = [&](int64_t done, int64_t total) { bar.Update(done, total); };
  auto r = compress::Quantize(in, out, o);
  bar.Finish();
  if (!r.ok()) return Fail(r.status());
  for (const std::string& note : r->notes) std::fprintf(stderr, "note: %s\n", note.c_str());
  for (const auto& t : r->tensors) {
    std::printf("%-32s %-6s -> %s\n", t.name.c_str(), DTypeName(t.from), DTypeName(t.to));
  }
  std::printf("type %s (file type %u)%s: %.2f MiB -> %.2f MiB\n", r->preset.name,
              static_cast<unsigned>(r->preset.file_type), pure ? ", pure" : "",
              MiB(r->in_file_bytes), MiB(r->out_file_bytes));
  return 0;
}

}  // namespace miaotui::cli
