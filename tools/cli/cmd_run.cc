// miaotui run: load a model, evaluate the prompt in one batch, stream the continuation.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "args.h"
#include "base/mmap_file.h"
#include "commands.h"
#include "default_model.h"
#include "device_args.h"
#include "dist_args.h"
#include "models/model.h"
#include "runtime/generator.h"
#include "runtime/memory_plan.h"

namespace miaotui::cli {
namespace {

Result<DType> ParseKvType(const std::string& s) {
  if (s == "f32") return DType::kF32;
  if (s == "f16") return DType::kF16;
  return InvalidArgument("option --kv-type: expected f32 or f16, got '" + s + "'");
}

Status WriteLogits(const std::string& path, const std::vector<float>& logits) {
  return WriteFileAtomically(path, logits.data(), logits.size() * sizeof(float));
}

}  // namespace

int RunCommand(int argc, char** argv) {
  std::string model_path, prompt, prompt_file, kv_type = "f16", logits_out;
  int32_t n_predict = 128, threads = 0, top_k = 40, repeat_last_n = 64;
  int64_t ctx = 0, seed = -1;
  float temp = 0.8f, top_p = 0.95f, min_p = 0.05f, repeat_penalty = 1.0f;
  bool echo = false, ignore_eos = false, json = false, no_fuse = false, no_bos = false;
  bool no_pack = false;
  bool dry_run = false;
  ArgParser p("miaotui run", "Generate text from a prompt, streaming it to stdout.");
  p.Option("model", "m", &model_path, "PATH", "GGUF file or HF folder (default: the shipped model)");
  p.Option("prompt", "p", &prompt, "TEXT", "the prompt");
  p.Option("file", "f", &prompt_file, "FILE", "read the prompt from a file");
  p.Option("n-predict", "n", &n_predict, "N", "tokens to generate (default 128; -1: until EOS)");
  p.Option("temp", "", &temp, "T", "temperature (default 0.8; 0 = greedy)");
  p.Option("top-k", "", &top_k, "K", "top-k sampling (default 40; 0 = off)");
  p.Option("top-p", "", &top_p, "P", "top-p sampling (default 0.95; 1 = off)");
  p.Option("min-p", "", &min_p, "P", "min-p sampling (default 0.05; 0 = off)");
  p.Option("repeat-penalty", "", &repeat_penalty, "X", "repetition penalty (default 1 = off)");
  p.Option("repeat-last-n", "", &repeat_last_n, "N", "tokens the penalty looks back (default 64)");
  p.Option("seed", "s", &seed, "S", "random seed (default: random)");
  p.Option("threads", "t", &threads, "N", "threads (default: all cores)");
  p.Option("ctx-size", "c", &ctx, "N", "context size (default: the model's, at most 4096)");
  p.Option("kv-type", "", &kv_type, "f32|f16", "KV-cache type (default f16)");
  p.Option("logits-out", "", &logits_out, "FILE",
           "write float32 logits of every prompt position [n_prompt, n_vocab]");
  p.Flag("echo", "", &echo, "print the prompt before the continuation");
  p.Flag("ignore-eos", "", &ignore_eos, "keep generating past end-of-sequence");
  p.Flag("no-bos", "", &no_bos, "do not add the BOS token");
  p.Flag("json", "", &json, "print one JSON object instead of streaming text");
  p.Flag("no-fuse", "", &no_fuse, "disable graph fusion passes");
  p.Flag("no-pack", "", &no_pack, "keep quantized weights in their file layout (no packed copies)");
  p.Flag("dry-run", "", &dry_run,
         "print the memory plan (weights, KV cache, activations) and whether it fits; run nothing");
  DistArgs dist_args;
  AddDistOptions(p, &dist_args);
  std::string device_flag = "cpu";
  AddDeviceOption(p, &device_flag);
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (auto resolved = ResolveModelPath(model_path); resolved.ok()) {
    model_path = *resolved;
  } else {
    return Fail(resolved.status());
  }
  if (!prompt_file.empty()) {
    auto text = ReadFileToString(prompt_file);
    if (!text.ok()) return Fail(text.status());
    prompt = *text;
  }
  auto kv = ParseKvType(kv_type);
  if (!kv.ok()) return Fail(kv.status());
  if (auto device = ResolveDevice(device_flag, /*quiet=*/false); !device.ok()) {
    return Fail(device.status());
  }

  auto dist = StartDist(dist_args);
  if (!dist.ok()) return Fail(dist.status());
  auto Fail = [&](const Status& s) { return dist->Fail(s); };  // under MPI: stops every rank
  const bool quiet = !dist->printer();  // rank 0 prints, the others stay silent

  auto t0 = std::chrono::steady_clock::now();
  auto model = LoadShard(*dist, model_path);
  if (!model.ok()) return Fail(model.status());
  runtime::SessionOptions so;
  so.comm = dist->comm.get();
  so.tp_comm = dist->tp_comm.get();
  so.n_threads = ResolveThreads(threads);
  so.n_ctx = ctx;
  so.kv_type = *kv;
  so.passes.fuse = !no_fuse;
  so.passes.pack_weights = !no_pack;
  // The memory plan is checked before the KV cache is allocated (only the header and tensor
  // table have been read so far; weights are mapped, not loaded).
  auto plan = runtime::PlanSessionMemory(**model, so);
  if (!plan.ok()) return Fail(plan.status());
  if (dry_run && !quiet) {
    std::fputs(plan->ToString().c_str(), stdout);
    if (auto avail = runtime::AvailableMemoryBytes(); avail.ok()) {
      std::printf("  available          %lld bytes (%.1f MiB, MemAvailable)\n",
                  static_cast<long long>(*avail), static_cast<double>(*avail) / (1 << 20));
    }
  }
  if (Status s = runtime::CheckMemoryPlanFits(*plan); !s.ok()) return Fail(s);
  if (dry_run) return 0;
  auto session = runtime::Session::Create(**model, so);
  if (!session.ok()) return Fail(session.status());
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const auto& tok = (*model)->tokenizer();
  std::vector<int32_t> ids = tok.Encode(prompt, !no_bos);
  if (ids.empty()) return Fail(InvalidArgument("the prompt is empty and the model adds no BOS"));

  runtime::GenerateOptions go;
  go.n_predict = n_predict;
  go.ignore_eos = ignore_eos;
  go.prompt_logits = !logits_out.empty();
  go.sampling.temperature = temp;
  go.sampling.top_k = top_k;
  go.sampling.top_p = top_p;
  go.sampling.min_p = min_p;
  go.sampling.repeat_penalty = repeat_penalty;
  go.sampling.repeat_last_n = repeat_last_n;
  go.sampling.seed = seed >= 0 ? static_cast<uint64_t>(seed) : std::random_device{}();
  if (dist->comm->size() > 1) {  // one seed everywhere (the sampled token is agreed anyway)
    if (Status s = dist->comm->Broadcast(&go.sampling.seed, sizeof(uint64_t), 0); !s.ok()) {
      return Fail(s);
    }
    dist->comm->ResetStats();
  }

  if (echo && !json && !quiet) {
    std::fputs(prompt.c_str(), stdout);
    std::fflush(stdout);
  }
  auto result = runtime::Generate(**session, ids, go, [&](std::string_view text) {
    if (json || quiet) return;
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  });
  if (!result.ok()) {
    if (!json) std::fputc('\n', stdout);
    return Fail(result.status());
  }
  std::string comm_summary;
  if (dist->comm->size() > 1) {
    auto summary = CommSummary(*dist->comm, static_cast<int64_t>(result->tokens.size()),
                               dist->tp_comm.get());
    if (!summary.ok()) return Fail(summary.status());
    comm_summary = *summary;
  }
  if (!logits_out.empty() && dist->comm->rank() == dist->logits_rank()) {
    if (Status s = WriteLogits(logits_out, result->prompt_logits); !s.ok()) return Fail(s);
  }
  const double pp = ids.size() / std::max(result->prompt_seconds, 1e-9);
  const double tg = result->tokens.size() / std::max(result->generate_seconds, 1e-9);
  if (quiet) return 0;
  if (json) {
    nlohmann::json j;
    j["prompt_tokens"] = ids;
    j["tokens"] = result->tokens;
    j["text"] = result->text;
    j["stopped_at_eos"] = result->stopped_at_eog;
    j["timings"] = {{"load_ms", load_s * 1e3},
                    {"prompt_ms", result->prompt_seconds * 1e3},
                    {"prompt_tokens_per_second", pp},
                    {"generate_ms", result->generate_seconds * 1e3},
                    {"generated_tokens_per_second", tg},
                    {"threads", (*session)->n_threads()}};
    if (!comm_summary.empty()) j["timings"]["comm"] = comm_summary;
    std::string out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::printf("%s\n", out.c_str());
  } else {
    std::fputc('\n', stdout);
    std::fflush(stdout);  // the text's last line before the timing line, also when redirected
    std::fprintf(stderr,
                 "miaotui: load %.0f ms | prompt %zu tokens, %.1f tok/s | generated %zu tokens, "
                 "%.1f tok/s | %d threads\n",
                 load_s * 1e3, ids.size(), pp, result->tokens.size(), tg, (*session)->n_threads());
    if (!comm_summary.empty()) std::fprintf(stderr, "miaotui: %s\n", comm_summary.c_str());
  }
  return 0;
}

}  // namespace miaotui::cli
