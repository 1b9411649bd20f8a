// The speed–accuracy report of `miaotui report`: for a base model and its variants (quantized,
// pruned), one row each with the file size, prompt (pp) and generation (tg) tokens/s, the
// perplexity of an evaluation text, and against the base on the same windows the mean
// KL(base || variant) and top-1 agreement (compress/perplexity.h). Rendered as a Markdown table
// and as an SVG chart (compress/svg_chart.h): size against perplexity, and tg speed against
// perplexity.
//
// Every number in the output is measured here: sizes from the file system, accuracy by
// Perplexity, then speeds by MeasureSpeedInterleaved (report_speed.h) over all models at once,
// alternating between them run by run. Every model stays mapped until the end. Variants must
// share the base's vocabulary.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "compress/perplexity.h"
#include "compress/report_speed.h"

namespace miaotui::compress {

struct ReportOptions {
  PerplexityOptions ppl;   // window (n_ctx), chunks, threads, KV type
  SpeedOptions speed;      // pp/tg lengths, repetitions (n_threads is taken from ppl)
  bool measure_speed = true;
  // Called before each step: (model path, what: "perplexity" or "speed ...").
  std::function<void(const std::string&, const std::string&)> progress;
};

struct ReportRow {
  std::string path, label;   // label: the file name without its folder and ".gguf"
  std::string weight_type;   // the type of most elements of 2-D tensors (GGUF)
  bool is_base = false;
  uint64_t file_bytes = 0;
  int64_t n_params = 0;
  double zero_fraction = 0;  // of the elements of 2-D float tensors (F32/F16/BF16); pruning
  SpeedResult speed;
  PerplexityResult ppl;      // has_base is false for the base row
};

struct Report {
  std::vector<ReportRow> rows;  // the base first, then the variants in the order given
  ReportOptions options;
};

// Errors: any model that cannot be loaded, a vocabulary that differs from the base's, a text
// too short for two windows, and anything Session reports.
Result<Report> MeasureReport(const std::string& base_path,
                             const std::vector<std::string>& variant_paths,
                             const std::string& text, const ReportOptions& options);

// The Markdown table (a header line naming the settings, then the table).
std::string ReportMarkdown(const Report& report);

// The SVG chart: size (MiB) against perplexity, and tg tokens/s against perplexity.
std::string ReportSvg(const Report& report);

}  // namespace miaotui::compress
