// miaotui perplexity: llama-perplexity's estimate over non-overlapping windows of a text (BOS
// first in each window, the second half scored), and with --kl-base, the KL divergence and top-1
// agreement of the model against a base model on the same windows.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "args.h"
#include "commands.h"
#include "compress/perplexity.h"
#include "models/model.h"
#include "progress.h"

namespace miaotui::cli {
namespace {

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the text file");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

int PerplexityCommand(int argc, char** argv) {
  std::string model_path, text_path, base_path, kv_type = "f16";
  int64_t n_ctx = 512, n_chunks = -1;
  int32_t threads = 0;
  ArgParser p("miaotui perplexity",
              "Perplexity over non-overlapping windows of a text, as llama-perplexity computes "
              "it; with --kl-base, KL divergence and top-1 agreement against a base model.");
  p.Option("model", "m", &model_path, "PATH", "model (GGUF file or HF folder)");
  p.Option("file", "f", &text_path, "TEXT", "text file to evaluate");
  p.Option("ctx-size", "c", &n_ctx, "N", "window length in tokens (default 512)");
  p.Option("chunks", "", &n_chunks, "N", "evaluate at most N windows (default: all)");
  p.Option("threads", "t", &threads, "N", "threads (default: all cores)");
  p.Option("kv-type", "", &kv_type, "f16|f32", "KV-cache type (default f16, as llama.cpp)");
  p.Option("kl-base", "", &base_path, "BASE", "compare with this base model (same vocabulary)");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (model_path.empty()) return Fail(InvalidArgument("no model given (use -m PATH)"));
  if (text_path.empty()) return Fail(InvalidArgument("no text given (use -f TEXT)"));
  if (kv_type != "f16" && kv_type != "f32") {
    return Fail(InvalidArgument("option --kv-type: expected f32 or f16, got '" + kv_type + "'"));
  }
  auto text = ReadText(text_path);
  if (!text.ok()) return Fail(text.status());
  auto model = models::LoadModel(model_path);
  if (!model.ok()) return Fail(model.status());
  std::unique_ptr<models::Model> base;
  if (!base_path.empty()) {
    auto b = models::LoadModel(base_path);
    if (!b.ok()) return Fail(b.status());
    base = std::move(*b);
  }
  compress::PerplexityOptions o;
  o.n_ctx = n_ctx;
  o.n_chunks = n_chunks;
  o.n_threads = ResolveThreads(threads);
  o.kv_type = kv_type == "f32" ? DType::kF32 : DType::kF16;
  ProgressBar bar("perplexity");
  o.progress = [&](int64_t done, int64_t total, double ppl) {
    char note[48];
    std::snprintf(note, sizeof(note), "PPL %.4f", ppl);
    bar.Update(done, total, note);
  };
  auto r = compress::Perplexity(**model, base.get(), *text, o);
  bar.Finish();
  if (!r.ok()) return Fail(r.status());
  std::printf("perplexity: %lld tokens, %lld chunks of %lld, %lld scored tokens\n",
              static_cast<long long>(r->n_tokens), static_cast<long long>(r->n_chunks),
              static_cast<long long>(n_ctx), static_cast<long long>(r->n_scored));
  for (size_t i = 0; i < r->running_ppl.size(); ++i) {
    std::printf("[%zu]%.4f,", i + 1, r->running_ppl[i]);
  }
  std::printf("\n");
  if (r->has_base) {
    std::printf("base PPL = %.4f +/- %.5f\n", r->base_ppl, r->base_ppl_error);
    std::printf("mean KL divergence (base || model) = %.6f +/- %.6f\n", r->mean_kl,
                r->mean_kl_error);
    std::printf("top-1 agreement = %.3f +/- %.3f %%\n", 100 * r->top1_agree,
                100 * r->top1_agree_error);
  }
  std::printf("Final estimate: PPL = %.4f +/- %.5f\n", r->ppl, r->ppl_error);
  return 0;
}

}  // namespace miaotui::cli
