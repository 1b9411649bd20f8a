// miaotui synth: write a random-weights model of a named real shape (tests, benchmarks).
#include <cstdio>
#include <filesystem>

#include "args.h"
#include "commands.h"
#include "formats/gguf.h"
#include "models/synth.h"

namespace miaotui::cli {

int SynthCommand(int argc, char** argv) {
  std::string arch, shape, type = "f16", out, vocab;
  uint64_t seed = 42;
  bool force = false;
  std::string shapes;
  for (const auto& s : models::SynthShapes()) shapes += (shapes.empty() ? "" : ", ") + s.name;
  ArgParser p("miaotui synth",
              "Write a random-weights model of a named real shape, with a working tokenizer.\n"
              "Shapes: " + shapes + ".");
  p.Option("arch", "", &arch, "ARCH", "architecture of the shape (llama or bert; optional)");
  p.Option("shape", "", &shape, "NAME", "named shape");
  p.Option("type", "", &type, "f32|f16|bf16", "weight type (default f16)");
  p.Option("output", "o", &out, "OUT.gguf", "output file");
  p.Option("seed", "", &seed, "S", "random seed (default 42)");
  p.Option("vocab", "", &vocab, "GGUF", "copy the tokenizer from this GGUF (same vocab size)");
  p.Flag("force", "", &force, "overwrite OUT if it exists");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (shape.empty()) return Fail(InvalidArgument("--shape is required (one of: " + shapes + ")"));
  for (const auto& sh : models::SynthShapes()) {
    if (sh.name == shape && !arch.empty() && arch != sh.arch) {
      return Fail(InvalidArgument("--arch " + arch + " does not match shape '" + shape +
                                  "', which is " + sh.arch));
    }
  }
  if (out.empty()) return Fail(InvalidArgument("-o OUT.gguf is required"));
  std::error_code ec;
  if (!force && std::filesystem::exists(out, ec)) {
    return Fail(InvalidArgument(out + ": already exists (use --force to overwrite)"));
  }
  models::SynthOptions o;
  o.shape = shape;
  o.seed = seed;
  if (type == "f32") o.dtype = DType::kF32;
  else if (type == "f16") o.dtype = DType::kF16;
  else if (type == "bf16") o.dtype = DType::kBF16;
  else return Fail(InvalidArgument("--type: expected f32, f16 or bf16, got '" + type + "'"));
  std::unique_ptr<formats::GgufFile> vocab_file;
  if (!vocab.empty()) {
    auto f = formats::GgufFile::Open(vocab);
    if (!f.ok()) return Fail(f.status());
    vocab_file = std::move(*f);
    o.vocab_from = vocab_file.get();
  }
  if (Status s = models::WriteSynthModel(o, out); !s.ok()) return Fail(s);
  std::fprintf(stderr, "miaotui: wrote %s (%s, %s)\n", out.c_str(), shape.c_str(), type.c_str());
  return 0;
}

}  // namespace miaotui::cli
