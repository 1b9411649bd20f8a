// miaotui graph: the forward-pass graph of a model, as Graphviz text or a node summary, before or
// after the passes.
#include <cstdio>
#include <map>

#include "args.h"
#include "commands.h"
#include "graph/passes.h"
#include "models/model.h"

namespace miaotui::cli {

int GraphCommand(int argc, char** argv) {
  std::string path;
  int64_t n_tokens = 1;
  bool dot = false, no_fuse = false, raw = false;
  ArgParser p("miaotui graph", "Print a model's forward-pass graph (node counts, or --dot).");
  p.Option("model", "m", &path, "PATH", "GGUF file or Hugging Face folder");
  p.Option("tokens", "n", &n_tokens, "N", "batch size the graph is built for (default 1)");
  p.Flag("dot", "", &dot, "print Graphviz text (pipe into `dot -Tsvg`)");
  p.Flag("no-fuse", "", &no_fuse, "skip the fusion passes");
  p.Flag("raw", "", &raw, "print the graph as built, before any pass");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (path.empty()) return Fail(InvalidArgument("no model given (use -m PATH)"));
  if (n_tokens < 1 || n_tokens > 65536) {
    return Fail(InvalidArgument("option --tokens: expected 1..65536, got " +
                                std::to_string(n_tokens)));
  }
  auto model = models::LoadModel(path);
  if (!model.ok()) return Fail(model.status());
  models::ForwardGraph fg;
  if ((*model)->info().is_encoder) {
    models::EncoderGraph eg = (*model)->BuildEncoder(n_tokens, 1, (*model)->info().pooling);
    fg.graph = std::move(eg.graph);
  } else {
    fg = (*model)->BuildForward({.n_tokens = n_tokens, .n_outputs = 1, .n_seqs = 1,
                                 .max_blocks = 1});
  }
  if (!raw) {
    graph::PassOptions po;
    po.fuse = !no_fuse;
    graph::Optimize(fg.graph, po);
  }
  if (dot) {
    std::fputs(graph::ToDot(fg.graph).c_str(), stdout);
    return 0;
  }
  std::map<std::string, int> counts;
  int live = 0;
  for (const auto& n : fg.graph.nodes) {
    if (!n.alive) continue;
    counts[graph::OpName(n.op)]++;
    ++live;
  }
  std::printf("%d nodes", live);
  if (fg.graph.planned) {
    std::printf(", activation arena %.2f MiB", fg.graph.arena_bytes / 1048576.0);
  }
  std::printf("\n");
  for (const auto& [op, c] : counts) std::printf("  %-12s %d\n", op.c_str(), c);
  return 0;
}

}  // namespace miaotui::cli
