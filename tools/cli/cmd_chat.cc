// miaotui chat: an interactive chat with a model through its own chat template (or --template
// FILE); a model without a template is an error, never a silent fallback to another format.
// The conversation is re-rendered every turn and only the changed suffix is evaluated
// (runtime::Chat); the loop itself is in chat_repl.cc.
#include <unistd.h>

#include <cstdio>

#include "args.h"
#include "base/mmap_file.h"
#include "chat_repl.h"
#include "commands.h"
#include "default_model.h"
#include "models/chat_template_source.h"
#include "models/model.h"
#include "sampling_args.h"

namespace miaotui::cli {
namespace {

struct TemplateChoice {
  std::string path;  // --template FILE, or empty: the model's
  std::string bos, eos;
  bool bos_set = false, eos_set = false;
};

Result<runtime::ChatFormat> LoadFormat(const std::string& model_path, const TemplateChoice& c) {
  MT_ASSIGN_OR_RETURN(models::ChatTemplateSource src, models::ReadChatTemplateSource(model_path));
  if (!c.path.empty()) {
    MT_ASSIGN_OR_RETURN(src.chat_template, ReadFileToString(c.path));
  } else if (!src.chat_template) {
    return NotFound(src.origin + " is absent: the model has no chat template (give one with "
                    "--template FILE)");
  }
  if (c.bos_set) src.bos_token = c.bos;
  if (c.eos_set) src.eos_token = c.eos;
  return runtime::ChatFormat::Create(*src.chat_template, src.bos_token, src.eos_token);
}

}  // namespace

int ChatCommand(int argc, char** argv) {
  std::string model_path, system;
  TemplateChoice tc;
  int32_t n_predict = -1, threads = 0;
  int64_t ctx = 0;
  bool verbose = false;
  SamplingArgs sampling;
  ArgParser p("miaotui chat",
              "Chat with a model on stdin/stdout through its chat template. Commands: /reset, "
              "/save FILE, /load FILE, /exit; Ctrl-C stops a reply.");
  p.Option("model", "m", &model_path, "PATH", "GGUF file or HF folder (default: the shipped model)");
  p.Option("system", "", &system, "TEXT", "system prompt");
  p.Option("template", "", &tc.path, "FILE", "use this chat template instead of the model's");
  p.Option("bos-token", "", &tc.bos, "S", "the bos_token string (default: the model's)");
  p.Option("eos-token", "", &tc.eos, "S", "the eos_token string (default: the model's)");
  p.Option("n-predict", "n", &n_predict, "N", "tokens per reply at most (default -1: no limit)");
  sampling.Register(p);
  p.Option("threads", "t", &threads, "N", "threads (default: all cores)");
  p.Option("ctx-size", "c", &ctx, "N", "context size (default: the model's, at most 4096)");
  p.Flag("verbose", "v", &verbose, "print prompt/reply token counts and speed to stderr");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (auto resolved = ResolveModelPath(model_path); resolved.ok()) {
    model_path = *resolved;
  } else {
    return Fail(resolved.status());
  }
  tc.bos_set = p.WasSet("bos-token");
  tc.eos_set = p.WasSet("eos-token");

  auto format = LoadFormat(model_path, tc);
  if (!format.ok()) return Fail(format.status());
  auto model = models::LoadModel(model_path);
  if (!model.ok()) return Fail(model.status());
  if ((*model)->info().is_encoder) {
    return Fail(InvalidArgument(model_path + " is an encoder (" + (*model)->info().arch +
                                "); chat needs a text-generating model"));
  }
  runtime::SessionOptions so;
  so.n_threads = ResolveThreads(threads);
  so.n_ctx = ctx;
  InstallInterruptHandler();  // before the session starts its threads; Ctrl-C kills until here
  auto session = runtime::Session::Create(**model, so);
  if (!session.ok()) return Fail(session.status());
  runtime::ChatOptions co;
  co.sampling = sampling.Resolve();
  co.n_predict = n_predict;
  if (p.WasSet("system")) co.system = system;
  auto chat = runtime::Chat::Create(**session, std::move(*format), co);
  if (!chat.ok()) return Fail(chat.status());
  ReplOptions ro;
  ro.verbose = verbose;
  ro.show_prompt = isatty(0) != 0;
  return RunChatRepl(**chat, ro);
}

}  // namespace miaotui::cli
