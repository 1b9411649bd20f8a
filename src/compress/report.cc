#include "compress/report.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "compress/svg_chart.h"
#include "formats/gguf.h"
#include "quant/convert.h"

namespace miaotui::compress {
namespace {

namespace fs = std::filesystem;

std::string Label(const std::string& path) {
  fs::path p(path);
  while (!p.empty() && p.filename().empty()) p = p.parent_path();  // "dir/" -> "dir"
  std::string name = p.filename().string();
  if (name.size() > 5 && name.ends_with(".gguf")) name.resize(name.size() - 5);
  return name;
}

uint64_t PathBytes(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return fs::file_size(path, ec);
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(path, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

struct WeightStats {
  std::string type = "HF folder";  // the type holding most elements of 2-D tensors
  double zero_fraction = 0;        // exact zeros among their dequantized elements
};

// Over a GGUF's 2-D tensors (the defaults for a Hugging Face folder).
Result<WeightStats> ReadWeightStats(const std::string& path) {
  WeightStats ws;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return ws;
  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::GgufFile> f, formats::GgufFile::Open(path));
  int64_t zeros = 0, total = 0;
  std::map<std::string, int64_t> per_type;
  std::vector<float> row;
  for (const auto& t : f->tensors()) {
    if (t.shape.n_dims < 2) continue;
    per_type[DTypeName(t.dtype)] += t.shape.NumElements();
    const int64_t n = t.shape.ne[0], rows = t.shape.NumRows();
    const size_t rb = RowBytes(t.dtype, n);
    row.resize(static_cast<size_t>(n));
    const uint8_t* data = static_cast<const uint8_t*>(f->View(t).data);
    for (int64_t r = 0; r < rows; ++r) {
      MT_RETURN_IF_ERROR(quant::DequantizeRow(t.dtype, data + r * rb, row.data(), n));
      for (float v : row) zeros += v == 0.0f;
    }
    total += n * rows;
  }
  ws.zero_fraction = total ? static_cast<double>(zeros) / static_cast<double>(total) : 0.0;
  int64_t most = -1;
  for (const auto& [type, n] : per_type) {
    if (n > most) ws.type = type, most = n;
  }
  return ws;
}

Result<ReportRow> MeasureOne(const std::string& path, const models::Model& model,
                             const models::Model* base, const std::string& text,
                             const ReportOptions& o) {
  ReportRow row;
  row.path = path;
  row.label = Label(path);
  row.is_base = base == nullptr;
  row.file_bytes = PathBytes(path);
  row.n_params = model.info().n_params;
  MT_ASSIGN_OR_RETURN(WeightStats ws, ReadWeightStats(path));
  row.weight_type = ws.type;
  row.zero_fraction = ws.zero_fraction;
  if (o.progress) o.progress(path, "perplexity");
  MT_ASSIGN_OR_RETURN(row.ppl, Perplexity(model, base, text, o.ppl));
  return row;
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

double MiB(uint64_t bytes) { return static_cast<double>(bytes) / 1048576.0; }

}  // namespace

Result<Report> MeasureReport(const std::string& base_path,
                             const std::vector<std::string>& variant_paths,
                             const std::string& text, const ReportOptions& options) {
  Report report;
  report.options = options;
  // Every model stays loaded (mapped) so that the speed runs can alternate between them.
  std::vector<std::unique_ptr<models::Model>> models;
  MT_ASSIGN_OR_RETURN(models.emplace_back(), models::LoadModel(base_path));
  MT_ASSIGN_OR_RETURN(ReportRow base_row, MeasureOne(base_path, *models[0], nullptr, text, options));
  report.rows.push_back(std::move(base_row));
  for (const std::string& path : variant_paths) {
    MT_ASSIGN_OR_RETURN(models.emplace_back(), models::LoadModel(path));
    MT_ASSIGN_OR_RETURN(ReportRow row,
                        MeasureOne(path, *models.back(), models[0].get(), text, options));
    report.rows.push_back(std::move(row));
  }
  if (options.measure_speed) {
    if (options.progress) options.progress(base_path, "speed (all models, alternating)");
    SpeedOptions so = options.speed;
    so.n_threads = options.ppl.n_threads;
    std::vector<const models::Model*> ptrs;
    for (const auto& m : models) ptrs.push_back(m.get());
    MT_ASSIGN_OR_RETURN(std::vector<SpeedResult> speeds, MeasureSpeedInterleaved(ptrs, so));
    for (size_t i = 0; i < speeds.size(); ++i) report.rows[i].speed = std::move(speeds[i]);
  }
  return report;
}

std::string ReportMarkdown(const Report& report) {
  const ReportOptions& o = report.options;
  const ReportRow& base = report.rows.front();
  std::string out;
  out += "Perplexity over " + std::to_string(base.ppl.n_chunks) + " windows of " +
         std::to_string(o.ppl.n_ctx) + " tokens (" + std::to_string(base.ppl.n_scored) +
         " scored tokens); KL(base || model) and top-1 agreement against " + base.label +
         " on the same windows.";
  if (o.measure_speed) {
    out += " Speeds: medians of " + std::to_string(o.speed.repetitions) + " runs (pp" +
           std::to_string(o.speed.n_prompt) + ": one prompt of " +
           std::to_string(o.speed.n_prompt) + " tokens; tg" + std::to_string(o.speed.n_gen) +
           ": " + std::to_string(o.speed.n_gen) + " tokens one at a time), threads: " +
           (o.ppl.n_threads > 0 ? std::to_string(o.ppl.n_threads) : std::string("all cores")) +
           ", the models alternating run by run.";
  }
  out += "\n\n";
  const std::string pp = "pp" + std::to_string(o.speed.n_prompt) + " t/s";
  const std::string tg = "tg" + std::to_string(o.speed.n_gen) + " t/s";
  out += "| model | type | size (MiB) | zeros | " + pp + " | " + tg +
         " | PPL | ΔPPL | KL (base ‖ model) | top-1 agree |\n";
  out += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const ReportRow& r : report.rows) {
    out += "| " + r.label + (r.is_base ? " (base)" : "") + " | " + r.weight_type + " | " +
           Fmt("%.2f", MiB(r.file_bytes)) + " | " + Fmt("%.1f %%", 100 * r.zero_fraction) +
           " | ";
    out += o.measure_speed ? Fmt("%.1f", r.speed.pp_median) + " | " +
                                 Fmt("%.1f", r.speed.tg_median) + " | "
                           : std::string("— | — | ");
    out += Fmt("%.4f", r.ppl.ppl) + " ± " + Fmt("%.4f", r.ppl.ppl_error) + " | ";
    if (r.is_base) {
      out += "— | — | — |\n";
      continue;
    }
    out += Fmt("%+.4f", r.ppl.ppl - base.ppl.ppl) + " | " + Fmt("%.6f", r.ppl.mean_kl) + " ± " +
           Fmt("%.6f", r.ppl.mean_kl_error) + " | " + Fmt("%.2f", 100 * r.ppl.top1_agree) +
           " ± " + Fmt("%.2f", 100 * r.ppl.top1_agree_error) + " % |\n";
  }
  return out;
}

std::string ReportSvg(const Report& report) {
  ChartPanel size{"File size vs perplexity", "perplexity (lower is better)", "file size (MiB)", {}};
  ChartPanel speed{"Generation speed vs perplexity", "perplexity (lower is better)",
                   "tg" + std::to_string(report.options.speed.n_gen) + " tokens/s", {}};
  for (const ReportRow& r : report.rows) {
    size.points.push_back({r.ppl.ppl, MiB(r.file_bytes), r.label});
    if (report.options.measure_speed) speed.points.push_back({r.ppl.ppl, r.speed.tg_median, r.label});
  }
  std::vector<ChartPanel> panels{size};
  if (report.options.measure_speed) panels.push_back(speed);
  return SvgScatterChart("Speed and size against accuracy (" + report.rows.front().label +
                             " and variants)",
                         panels);
}

}  // namespace miaotui::compress
