// miaotui bench: prompt-processing (pp) and token-generation (tg) throughput, in the spirit of
// llama-bench. Each test is repeated; the median and the spread are reported. Prompts are random
// token ids; generation starts from an empty context, one token per step. --roofline measures the
// machine's limits (roofline.h) and reports each result as a fraction of its limit: generation
// by DRAM read bandwidth (measured just before each tg test, with its thread count), prompts by
// peak arithmetic (int8 dot products for quantized weights, fp32 FMA otherwise).
#include <algorithm>
#include <chrono>
#include <memory>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "args.h"
#include "base/cpu_features.h"
#include "base/thread_pool.h"
#include "commands.h"
#include "models/model.h"
#include "roofline.h"
#include "runtime/embedder.h"
#include "runtime/session.h"

namespace miaotui::cli {
namespace {

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Result<std::vector<int>> ParseIntList(const std::string& name, const std::string& s) {
  std::vector<int> out;
  for (const auto& item : SplitList(s)) {
    char* end = nullptr;
    long v = std::strtol(item.c_str(), &end, 10);
    if (*end || v < 0 || v > 100000) {
      return InvalidArgument("option --" + name + ": expected a comma-separated list of "
                             "non-negative integers, got '" + s + "'");
    }
    out.push_back(static_cast<int>(v));
  }
  if (out.empty()) return InvalidArgument("option --" + name + ": empty list");
  return out;
}

double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct BenchResult {
  std::string model, type, test;
  int threads;
  std::vector<double> tps;  // tokens per second per repetition
  // --roofline: the limit this result is divided by, and the work per token.
  std::string limit_name = "", limit_unit = "";  // "dram_read" GB/s, "fp32_fma" GFLOP/s, "int8_dot" GOP/s
  double limit = 0, work_per_token = 0;  // limit in its unit; bytes or ops per token
  double Fraction() const { return limit > 0 ? Median() * work_per_token / (limit * 1e9) : 0; }
  double Median() const {
    std::vector<double> v = tps;
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  }
};

// Tokens/s of one pp or tg run on a fresh context.
Result<double> RunOnce(runtime::Session& s, int n_vocab, int n_prompt, int n_gen,
                       std::mt19937& rng) {
  s.Reset();
  std::uniform_int_distribution<int32_t> tok(0, n_vocab - 1);
  if (n_prompt > 0) {
    std::vector<int32_t> ids(n_prompt);
    for (auto& id : ids) id = tok(rng);
    double t0 = Seconds();
    MT_RETURN_IF_ERROR(s.Decode(ids, false).status());
    return n_prompt / (Seconds() - t0);
  }
  double t0 = Seconds();
  for (int i = 0; i < n_gen; ++i) {
    int32_t id = tok(rng);
    MT_RETURN_IF_ERROR(s.Decode(std::span<const int32_t>(&id, 1), false).status());
  }
  return n_gen / (Seconds() - t0);
}

// Inputs per second, one entry per run: `total` random inputs of `len` tokens, embedded in
// batches of `per_batch`.
Result<std::vector<double>> EmbedThroughput(const models::Model& model, int threads, int len,
                                            int total, int per_batch, int runs,
                                            std::mt19937& rng) {
  runtime::EmbedOptions eo;
  eo.n_threads = ResolveThreads(threads);
  eo.max_batch_tokens = static_cast<int64_t>(len) * per_batch;
  MT_ASSIGN_OR_RETURN(auto embedder, runtime::Embedder::Create(model, eo));
  std::uniform_int_distribution<int32_t> tok(0, static_cast<int32_t>(model.info().n_vocab) - 1);
  std::vector<std::vector<int32_t>> inputs(total, std::vector<int32_t>(len));
  for (auto& in : inputs) {
    for (auto& t : in) t = tok(rng);
  }
  std::vector<double> out;
  for (int r = 0; r < runs; ++r) {
    double t0 = Seconds();
    MT_RETURN_IF_ERROR(embedder->Embed(inputs).status());
    out.push_back(total / (Seconds() - t0));
  }
  return out;
}

std::string WeightType(const models::ModelInfo& mi) {
  std::string best;
  int64_t n = -1;
  for (const auto& [t, c] : mi.tensor_types) {
    if (c > n && t != "F32") best = t, n = c;
  }
  return best.empty() ? "F32" : best;
}

}  // namespace

int BenchCommand(int argc, char** argv) {
  std::string models_arg, pp = "512", tg = "128", threads_arg = "", kv_type = "f16";
  int32_t reps = 5, embed_batch = 32;
  bool json = false, no_fuse = false, no_pack = false, roofline = false;
  ArgParser p("miaotui bench",
              "Measure prompt processing (ppN) and generation (tgN) tokens/s; medians of -r runs.");
  p.Option("model", "m", &models_arg, "M[,M...]", "models (GGUF files or HF folders)");
  p.Option("n-prompt", "p", &pp, "N[,N...]", "prompt lengths (default 512; 0 = skip)");
  p.Option("n-gen", "n", &tg, "N[,N...]", "generation lengths (default 128; 0 = skip)");
  p.Option("threads", "t", &threads_arg, "T[,T...]", "thread counts (default: all cores)");
  p.Option("repetitions", "r", &reps, "R", "repetitions of each test (default 5)");
  p.Option("embed-batch", "", &embed_batch, "B",
           "encoders: inputs per run, packed together and one at a time (default 32)");
  p.Option("kv-type", "", &kv_type, "f32|f16", "KV-cache type (default f16)");
  p.Flag("json", "", &json, "print a JSON array instead of a Markdown table");
  p.Flag("no-fuse", "", &no_fuse, "disable graph fusion passes");
  p.Flag("no-pack", "", &no_pack, "keep quantized weights in their file layout (no packed copies)");
  p.Flag("roofline", "", &roofline,
         "measure DRAM read bandwidth and peak fp32/int8 throughput; report fractions of them");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (models_arg.empty()) return Fail(InvalidArgument("no model given (use -m PATH)"));
  if (reps < 1 || reps > 1000) return Fail(InvalidArgument("option --repetitions: expected 1..1000"));
  auto pps = ParseIntList("n-prompt", pp);
  auto tgs = ParseIntList("n-gen", tg);
  auto ths = ParseIntList("threads", threads_arg.empty() ? std::to_string(HardwareConcurrency()) : threads_arg);
  for (const auto* r : {&pps, &tgs, &ths}) {
    if (!r->ok()) return Fail(r->status());
  }
  if (kv_type != "f16" && kv_type != "f32") {
    return Fail(InvalidArgument("option --kv-type: expected f32 or f16, got '" + kv_type + "'"));
  }

  std::vector<BenchResult> results;
  std::mt19937 rng(1234);
  for (const std::string& path : SplitList(models_arg)) {
    auto model = models::LoadModel(path);
    if (!model.ok()) return Fail(model.status());
    const models::ModelInfo& mi = (*model)->info();
    if (mi.is_encoder) {
      // Encoders: inputs per second for `embed_batch` random inputs of N tokens (-p), packed
      // into one batch ("embNxB") and one at a time ("embNx1").
      for (int threads : *ths) {
        for (int n : *pps) {
          if (n <= 0) continue;
          for (int per_batch : {embed_batch, 1}) {
            BenchResult r{path, WeightType(mi),
                          "emb" + std::to_string(n) + "x" + std::to_string(per_batch),
                          ResolveThreads(threads), {}};
            auto tps = EmbedThroughput(**model, threads, n, embed_batch, per_batch, reps + 1, rng);
            if (!tps.ok()) return Fail(tps.status());
            r.tps.assign(tps->begin() + 1, tps->end());  // the first run warms up
            if (!json) {
              std::fprintf(stderr, "miaotui bench: %s %s t=%d: %.2f inputs/s\n", path.c_str(),
                           r.test.c_str(), threads, r.Median());
            }
            results.push_back(std::move(r));
          }
        }
      }
      continue;
    }
    for (int threads : *ths) {
      int max_len = 16;
      for (int n : *pps) max_len = std::max(max_len, n + 16);
      for (int n : *tgs) max_len = std::max(max_len, n + 16);
      runtime::SessionOptions so;
      so.n_threads = ResolveThreads(threads);
      so.n_ctx = max_len;
      so.kv_type = kv_type == "f32" ? DType::kF32 : DType::kF16;
      so.passes.fuse = !no_fuse;
      so.passes.pack_weights = !no_pack;
      auto session = runtime::Session::Create(**model, so);
      if (!session.ok()) return Fail(session.status());
      // --roofline: the peaks for this thread count (measured once), on a team of that size.
      std::unique_ptr<ThreadPool> probe_pool;
      const std::string wtype = WeightType(mi);
      const bool quantized = wtype != "F32" && wtype != "F16" && wtype != "BF16";
      double peak_fp32 = 0, peak_int8 = 0;
      if (roofline) {
        probe_pool = std::make_unique<ThreadPool>((*session)->n_threads());
        peak_fp32 = PeakFp32(*probe_pool);
        if (quantized) peak_int8 = PeakInt8(*probe_pool);
      }
      auto run_test = [&](int n_prompt, int n_gen) -> Status {
        if (n_prompt == 0 && n_gen == 0) return Status::Ok();
        BenchResult r{path, WeightType(mi),
                      n_prompt > 0 ? "pp" + std::to_string(n_prompt) : "tg" + std::to_string(n_gen),
                      (*session)->n_threads(), {}};
        // One warm-up run (page cache, graph planning), then the measured ones.
        MT_RETURN_IF_ERROR(RunOnce(**session, static_cast<int>(mi.n_vocab), n_prompt, n_gen, rng).status());
        if (roofline && n_prompt > 0) {
          const bool int8 = peak_int8 > 0;
          r.limit_name = int8 ? "int8_dot" : "fp32_fma";
          r.limit_unit = int8 ? "GOP/s" : "GFLOP/s";
          r.limit = (int8 ? peak_int8 : peak_fp32) / 1e9;
          r.work_per_token = 2.0 * static_cast<double>(mi.n_params);
        } else if (roofline) {
          r.limit_name = "dram_read";
          r.limit_unit = "GB/s";
          r.limit = ReadBandwidth(*probe_pool) / 1e9;  // right beside the run it divides
          r.work_per_token = static_cast<double>(DecodeWeightBytes(mi));
        }
        for (int i = 0; i < reps; ++i) {
          MT_ASSIGN_OR_RETURN(double tps,
                              RunOnce(**session, static_cast<int>(mi.n_vocab), n_prompt, n_gen, rng));
          r.tps.push_back(tps);
        }
        if (!json) {
          std::fprintf(stderr, "miaotui bench: %s %s t=%d: %.2f tok/s", path.c_str(),
                       r.test.c_str(), r.threads, r.Median());
          if (roofline) {
            std::fprintf(stderr, " = %.1f%% of %s %.1f %s", 100 * r.Fraction(),
                         r.limit_name.c_str(), r.limit, r.limit_unit.c_str());
          }
          std::fprintf(stderr, "\n");
        }
        results.push_back(std::move(r));
        return Status::Ok();
      };
      for (int n : *pps) {
        if (Status s = run_test(n, 0); !s.ok()) return Fail(s);
      }
      for (int n : *tgs) {
        if (Status s = run_test(0, n); !s.ok()) return Fail(s);
      }
    }
  }

  if (json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : results) {
      arr.push_back({{"model", r.model},
                     {"type", r.type},
                     {"threads", r.threads},
                     {"test", r.test},
                     {"tokens_per_second", r.Median()},
                     {"min", *std::min_element(r.tps.begin(), r.tps.end())},
                     {"max", *std::max_element(r.tps.begin(), r.tps.end())},
                     {"runs", r.tps}});
      if (roofline) {
        arr.back()["limit"] = {{"name", r.limit_name}, {"value", r.limit}, {"unit", r.limit_unit}};
        arr.back()["work_per_token"] = r.work_per_token;
        arr.back()["fraction"] = r.Fraction();
      }
    }
    std::printf("%s\n", arr.dump(2).c_str());
    return 0;
  }
  std::printf("| model | type | threads | test | t/s (median) | min | max |%s\n",
              roofline ? " limit | of limit |" : "");
  std::printf("|---|---|---:|---|---:|---:|---:|%s\n", roofline ? "---|---:|" : "");
  for (const auto& r : results) {
    std::printf("| %s | %s | %d | %s | %.2f | %.2f | %.2f |", r.model.c_str(), r.type.c_str(),
                r.threads, r.test.c_str(), r.Median(),
                *std::min_element(r.tps.begin(), r.tps.end()),
                *std::max_element(r.tps.begin(), r.tps.end()));
    if (roofline && r.limit > 0) {
      std::printf(" %s %.1f %s | %.1f%% |", r.limit_name.c_str(), r.limit, r.limit_unit.c_str(),
                  100 * r.Fraction());
    } else if (roofline) {
      std::printf(" - | - |");
    }
    std::printf("\n");
  }
  return 0;
}

}  // namespace miaotui::cli
