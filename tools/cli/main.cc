// miaotui: one binary, many subcommands (run, tokenize, info, synth, ...).
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"

namespace {

struct Subcommand {
  const char* name;
  const char* summary;
  int (*fn)(int, char**);
};

constexpr Subcommand kCommands[] = {
    {"run", "generate text from a prompt", miaotui::cli::RunCommand},
    {"chat", "chat interactively through the model's chat template",
     miaotui::cli::ChatCommand},
    {"serve", "serve a model over HTTP (OpenAI API, web chat page)",
     miaotui::cli::ServeCommand},
    {"embed", "embed lines of text with an encoder model (BERT)", miaotui::cli::EmbedCommand},
    {"classify", "classify texts with a sequence-classification model", miaotui::cli::ClassifyCommand},
    {"tokenize", "print the token ids and pieces of a text", miaotui::cli::TokenizeCommand},
    {"template", "render a chat template for a list of messages",
     miaotui::cli::TemplateCommand},
    {"info", "print a model's architecture, hyperparameters and tensors", miaotui::cli::InfoCommand},
    {"synth", "write a random-weights model of a named real shape", miaotui::cli::SynthCommand},
    {"bench", "measure prompt and generation throughput", miaotui::cli::BenchCommand},
    {"perplexity", "perplexity of a text (and KL divergence against a base model)",
     miaotui::cli::PerplexityCommand},
    {"quantize", "write a quantized GGUF from an F32/F16/BF16 model", miaotui::cli::QuantizeCommand},
    {"prune", "zero weights (magnitude, Wanda, N:M) or remove FFN channels, heads, layers",
     miaotui::cli::PruneCommand},
    {"report", "size, speed, perplexity and KL of a model's variants (Markdown, SVG)",
     miaotui::cli::ReportCommand},
    {"convert", "convert a Hugging Face folder to GGUF (F16, Q8_0, ...)",
     miaotui::cli::ConvertCommand},
    {"pull", "download a model (Hugging Face ORG/REPO[:FILE] or a URL) into the cache",
     miaotui::cli::PullCommand},
    {"graph", "print a model's forward-pass graph (or Graphviz --dot)", miaotui::cli::GraphCommand},
};

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "miaotui - fast LLM inference (秒推)\n\n"
               "usage: miaotui <command> [options]\n\ncommands:\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\nRun 'miaotui <command> --help' for a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return 1;
  }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    PrintUsage(stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::printf("miaotui 0.1.0\n");
    return 0;
  }
  for (const auto& c : kCommands) {
    if (cmd == c.name) return c.fn(argc, argv);
  }
  std::fprintf(stderr, "miaotui: error: unknown command '%s' (see miaotui --help)\n", cmd.c_str());
  return 1;
}
