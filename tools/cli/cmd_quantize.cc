// miaotui quantize: writes a quantized GGUF from an F32/F16/BF16 GGUF with llama-quantize's
// presets and per-tensor mix; --pure for one type throughout; --calib TEXT for calibration-aware
// (importance-weighted) scales.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <fstream>
#include <iterator>

#include "args.h"
#include "compress/hf_convert.h"
#include "commands.h"
#include "compress/importance.h"
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

}  // namespace

int QuantizeCommand(int argc, char** argv) {
  std::string in, out, type, calib;
  bool pure = false;
  int32_t threads = 0;
  int64_t calib_ctx = 128, calib_chunks = 64;
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
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
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
    auto imp = compress::CollectImportance(in, *text, co);
    bar.Finish();
    if (!imp.ok()) return Fail(imp.status());
    std::fprintf(stderr, "calibration: %lld tokens, importance for %zu tensors\n",
                 static_cast<long long>(imp->n_tokens), imp->matrix.size());
    importance = std::move(imp->matrix);
    o.importance = &importance;
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
