// miaotui info: what a model file is - format, architecture, hyperparameters, tensors, tokenizer.
#include <cstdio>
#include <filesystem>
#include <map>

#include "args.h"
#include "commands.h"
#include "formats/gguf.h"
#include "models/model.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::cli {

Result<std::unique_ptr<tokenizer::Tokenizer>> LoadTokenizerOnly(const std::string& path);

namespace {

void PrintGgufFacts(const formats::GgufFile& f) {
  std::printf("format:        GGUF v%u, %zu metadata keys, %zu tensors, alignment %llu\n",
              f.version(), f.metadata().size(), f.tensors().size(),
              static_cast<unsigned long long>(f.alignment()));
  auto arch = f.GetStringOr("general.architecture", "(none)");
  auto name = f.GetStringOr("general.name", "");
  std::printf("architecture:  %s\n", arch.ok() ? arch->c_str() : "(unreadable)");
  if (name.ok() && !name->empty()) std::printf("name:          %s\n", name->c_str());
  std::map<std::string, std::pair<int64_t, uint64_t>> types;
  for (const auto& t : f.tensors()) {
    auto& e = types[DTypeName(t.dtype)];
    e.first++;
    e.second += t.n_bytes;
  }
  for (const auto& [type, e] : types) {
    std::printf("tensors:       %-6s x %lld (%.2f MiB)\n", type.c_str(),
                static_cast<long long>(e.first), e.second / 1048576.0);
  }
}

}  // namespace

int InfoCommand(int argc, char** argv) {
  std::string path;
  bool verbose = false;
  ArgParser p("miaotui info", "Print a model's format, architecture, hyperparameters, tensors "
                              "and tokenizer.");
  p.Positional("MODEL", &path, "GGUF file or Hugging Face folder", true);
  p.Flag("verbose", "v", &verbose, "also list every metadata key and tensor");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;

  std::error_code ec;
  std::shared_ptr<formats::GgufFile> gguf;
  if (!std::filesystem::is_directory(path, ec)) {
    auto f = formats::GgufFile::Open(path);
    if (!f.ok()) return Fail(f.status());
    gguf = std::move(*f);
    std::printf("file:          %s (%.2f MiB)\n", path.c_str(), gguf->file_size() / 1048576.0);
    PrintGgufFacts(*gguf);
  } else {
    std::printf("folder:        %s (Hugging Face)\n", path.c_str());
  }
  auto tok = LoadTokenizerOnly(path);
  if (tok.ok()) {
    std::printf("tokenizer:     %s, %d tokens, bos %d, eos %d\n", (*tok)->vocab().model.c_str(),
                (*tok)->n_vocab(), (*tok)->bos_id(), (*tok)->eos_id());
  } else {
    std::printf("tokenizer:     (none: %s)\n", tok.status().message().c_str());
  }
  if (!gguf || !gguf->tensors().empty()) {
    auto model = models::LoadModel(path);
    if (model.ok()) {
      const models::ModelInfo& mi = (*model)->info();
      std::printf("parameters:    %lld (%.2f MiB of weights)\n",
                  static_cast<long long>(mi.n_params), mi.weight_bytes / 1048576.0);
      for (const auto& [k, v] : mi.hparams) std::printf("  %-12s %s\n", k.c_str(), v.c_str());
    } else {
      std::printf("model:         cannot run: %s\n", model.status().message().c_str());
    }
  }
  if (verbose && gguf) {
    std::printf("\nmetadata:\n");
    for (const auto& kv : gguf->metadata()) {
      std::printf("  %-40s %s\n", kv.key.c_str(), kv.value.ToString().c_str());
    }
    std::printf("\ntensors:\n");
    for (const auto& t : gguf->tensors()) {
      std::printf("  %-40s %-6s %s\n", t.name.c_str(), DTypeName(t.dtype),
                  t.shape.ToString().c_str());
    }
  }
  return 0;
}

}  // namespace miaotui::cli
