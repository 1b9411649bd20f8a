// miaotui serve: the OpenAI-compatible HTTP server (tools/server) over one model, with the web
// chat page at /. SIGINT / SIGTERM stop admitting (503) and let running requests finish, then
// exit 0; a second signal cancels what still runs.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <thread>

#include "args.h"
#include "base/mmap_file.h"
#include "commands.h"
#include "default_model.h"
#include "models/model.h"
#include "runtime/engine_memory_plan.h"
#include "sampling_args.h"
#include "serve_dist.h"
#include "server.h"

namespace miaotui::cli {

int ServeCommand(int argc, char** argv) {
  server::ServerOptions o;
  std::string model_path, template_path, kv_type = "f16";
  int32_t threads = 0, port = o.port;
  int64_t ctx = 0, parallel = o.engine.max_seqs, batch = o.engine.step_tokens,
          queue = o.engine.max_queue, max_tokens = o.limits.max_tokens;
  SamplingArgs sampling;
  ServeDist dist;  // under mpirun --tp N: rank 0 serves, every rank computes (serve_dist.h)
  ArgParser p("miaotui serve",
              "Serve a model over HTTP with OpenAI's API (/v1/chat/completions, /v1/completions, "
              "/v1/embeddings, /v1/models), /health, /metrics, /tokenize, /detokenize and a web "
              "chat page at /.");
  p.Option("model", "m", &model_path, "PATH", "GGUF file or HF folder (default: the shipped model)");
  p.Option("host", "", &o.host, "ADDR", "address to listen on (default 127.0.0.1)");
  p.Option("port", "", &port, "N", "port (default 8080; 0: any free port)");
  p.Option("api-key", "", &o.api_key, "KEY", "require 'Authorization: Bearer KEY'");
  p.Option("model-alias", "", &o.model_alias, "NAME", "the model's id in the API");
  p.Option("ctx-size", "c", &ctx, "N", "context per sequence (default: the model's, <= 4096)");
  p.Option("parallel", "", &parallel, "N", "sequences decoded together (default 8)");
  p.Option("queue", "", &queue, "N", "waiting requests before 429 (default 64)");
  p.Option("batch-tokens", "b", &batch, "N", "tokens per engine step (default 256)");
  p.Option("threads", "t", &threads, "N", "compute threads (default: all cores)");
  p.Option("kv-type", "", &kv_type, "f16|f32", "KV-cache type (default f16)");
  p.Option("max-tokens", "", &max_tokens, "N", "largest max_tokens a request may ask for");
  p.Option("chat-template", "", &template_path, "FILE",
           "chat template to use instead of the model's");
  bool dry_run = false, no_pack = false;
  p.Flag("no-pack", "", &no_pack, "keep quantized weights in their file layout (no packed copies)");
  p.Flag("dry-run", "", &dry_run,
         "load the model, print the memory plan (weights, KV cache for ctx x parallel, "
         "activations) and exit; without it a plan that exceeds MemAvailable is refused");
  sampling.Register(p);
  AddDistOptions(p, &dist.args);
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (auto resolved = ResolveModelPath(model_path); resolved.ok()) {
    model_path = *resolved;
  } else {
    return Fail(resolved.status());
  }
  if (kv_type != "f16" && kv_type != "f32") {
    return Fail(InvalidArgument("option --kv-type: expected f32 or f16, got '" + kv_type + "'"));
  }
  if (port < 0 || port > 65535) return Fail(InvalidArgument("option --port: 0..65535"));
  if (queue < 0 || batch < 1 || max_tokens < 1) {
    return Fail(InvalidArgument("--queue, --batch-tokens and --max-tokens must be positive"));
  }
  o.port = port;
  o.engine.n_threads = ResolveThreads(threads);
  o.engine.passes.pack_weights = !no_pack;
  o.engine.n_ctx = ctx;
  o.engine.max_seqs = parallel;
  o.engine.step_tokens = batch;
  o.engine.max_queue = queue;
  o.engine.kv_type = kv_type == "f32" ? DType::kF32 : DType::kF16;
  o.limits.max_tokens = static_cast<int32_t>(std::min<int64_t>(max_tokens, 1 << 30));
  o.sampling = sampling.params;  // per-request seeds are drawn by the server
  if (!template_path.empty()) {
    auto t = ReadFileToString(template_path);
    if (!t.ok()) return Fail(t.status());
    o.chat_template = std::move(*t);
  }

  // Signals go to one thread (sigwait); block them before any thread starts.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  int follower_exit = 0;
  auto model = dist.Load(model_path, &o, &follower_exit);
  if (!model.ok()) return dist.Fail(model.status());
  if (*model == nullptr) return follower_exit;  // a rank other than 0 has followed to the end
  if (!(*model)->info().is_encoder) {
    auto plan = runtime::PlanEngineMemory(**model, o.engine);
    if (!plan.ok()) return dist.Fail(plan.status());
    if (dry_run) {
      std::printf("%lld parallel sequences x %lld tokens; ",
                  static_cast<long long>(o.engine.max_seqs), static_cast<long long>(plan->n_ctx));
      std::fputs(plan->ToString().c_str(), stdout);
    }
    if (Status s = runtime::CheckMemoryPlanFits(*plan); !s.ok()) return dist.Fail(s);
  }
  if (dry_run) return 0;
  auto srv = server::Server::Create(std::move(*model), o);
  if (!srv.ok()) return Fail(srv.status());
  server::Server& server = **srv;
  if (Status s = server.Bind(); !s.ok()) return Fail(s);
  std::fprintf(stderr, "miaotui serve: listening on http://%s:%d\n", o.host.c_str(),
               server.port());
  std::fflush(stderr);

  std::thread finisher;
  std::thread watcher([&] {
    int signals = 0;
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0 || sig == SIGUSR1) return;
      if (++signals == 1) {
        std::fprintf(stderr, "miaotui serve: shutting down (finishing running requests)\n");
        finisher = std::thread([&] { server.Shutdown(/*finish_running=*/true); });
      } else {
        std::fprintf(stderr, "miaotui serve: cancelling running requests\n");
        server.Shutdown(/*finish_running=*/false);
      }
    }
  });
  server.Run();
  pthread_kill(watcher.native_handle(), SIGUSR1);
  watcher.join();
  if (finisher.joinable()) finisher.join();
  std::fprintf(stderr, "miaotui serve: stopped\n");
  return 0;
}

}  // namespace miaotui::cli
