// miaotui report: for a base model and its variants, one table of file size, pp/tg tokens/s,
// perplexity, and KL divergence and top-1 agreement against the base (Markdown), and an SVG
// chart of size and generation speed against perplexity. Every number is measured here.
#include <cstdio>
#include <fstream>
#include <iterator>

#include "args.h"
#include "commands.h"
#include "compress/report.h"
#include "progress.h"

namespace miaotui::cli {
namespace {

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the evaluation text");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Status WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return IoError(path + ": cannot open for writing");
  out << data;
  out.close();
  if (!out) return IoError(path + ": write failed");
  return Status::Ok();
}

}  // namespace

int ReportCommand(int argc, char** argv) {
  std::string base, text_path, chart_path, out_path;
  std::vector<std::string> variants;
  int64_t n_ctx = 128, n_chunks = -1;
  int32_t threads = 0, n_prompt = 128, n_gen = 32, reps = 3;
  bool no_speed = false;
  ArgParser p("miaotui report",
              "Measure a base model and its variants: file size, pp/tg tokens/s, perplexity, KL "
              "divergence and top-1 agreement against the base. Markdown table and SVG chart.");
  p.Option("model", "m", &base, "BASE", "the base model");
  p.Rest("VARIANT", &variants, "variant models (quantized, pruned), same vocabulary as BASE");
  p.Option("file", "f", &text_path, "TEXT", "evaluation text (perplexity, KL)");
  p.Option("ctx-size", "c", &n_ctx, "N", "perplexity window in tokens (default 128)");
  p.Option("chunks", "", &n_chunks, "N", "evaluate at most N windows (default: all)");
  p.Option("threads", "t", &threads, "N", "threads (default: all cores)");
  p.Option("n-prompt", "p", &n_prompt, "N", "prompt length of the pp test (default 128; 0 = skip)");
  p.Option("n-gen", "n", &n_gen, "N", "tokens of the tg test (default 32; 0 = skip)");
  p.Option("repetitions", "r", &reps, "R", "timed runs per speed test (default 3; median)");
  p.Flag("no-speed", "", &no_speed, "skip the speed tests (size and accuracy only)");
  p.Option("chart", "", &chart_path, "OUT.svg", "write the SVG chart here");
  p.Option("output", "o", &out_path, "OUT.md", "write the Markdown table here (default: stdout)");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (base.empty()) return Fail(InvalidArgument("no base model given (use -m BASE)"));
  if (variants.empty()) {
    return Fail(InvalidArgument("no variant given (miaotui report -m BASE VARIANT... -f TEXT)"));
  }
  if (text_path.empty()) return Fail(InvalidArgument("no evaluation text given (use -f TEXT)"));
  if (reps < 1 || reps > 1000) {
    return Fail(InvalidArgument("option --repetitions: expected 1..1000, got " +
                                std::to_string(reps)));
  }
  if (n_prompt < 0 || n_gen < 0) {
    return Fail(InvalidArgument("options --n-prompt and --n-gen must be >= 0"));
  }
  auto text = ReadText(text_path);
  if (!text.ok()) return Fail(text.status());

  compress::ReportOptions o;
  o.ppl.n_ctx = n_ctx;
  o.ppl.n_chunks = n_chunks;
  o.ppl.n_threads = ResolveThreads(threads);
  o.speed.n_prompt = n_prompt;
  o.speed.n_gen = n_gen;
  o.speed.repetitions = reps;
  o.measure_speed = !no_speed && (n_prompt > 0 || n_gen > 0);
  ProgressBar bar("report");
  size_t step = 0;
  const size_t steps = variants.size() + 1 + (o.measure_speed ? 1 : 0);
  o.progress = [&](const std::string& path, const std::string& what) {
    bar.Update(static_cast<int64_t>(step++), static_cast<int64_t>(steps), what + " " + path);
  };
  auto r = compress::MeasureReport(base, variants, *text, o);
  bar.Finish();
  if (!r.ok()) return Fail(r.status());
  const std::string md = compress::ReportMarkdown(*r);
  if (out_path.empty()) {
    std::fputs(md.c_str(), stdout);
  } else if (Status s = WriteFile(out_path, md); !s.ok()) {
    return Fail(s);
  }
  if (!chart_path.empty()) {
    if (Status s = WriteFile(chart_path, compress::ReportSvg(*r)); !s.ok()) return Fail(s);
  }
  return 0;
}

}  // namespace miaotui::cli
