// miaotui embed: one embedding per input line, from an encoder model, in token-budget batches.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "models/model.h"
#include "runtime/embedder.h"

namespace miaotui::cli {

int EmbedCommand(int argc, char** argv) {
  std::string model_path, pooling, input = "-";
  bool normalize = false, truncate = false, json = false;
  int32_t threads = 0;
  int64_t batch_tokens = 2048;
  ArgParser p("miaotui embed",
              "Embed each line of FILE (or stdin) with an encoder model. Prints one line per "
              "input:\nthe vector as tab-separated values, or with --json an object with index, "
              "tokens, embedding.");
  p.Option("model", "m", &model_path, "PATH", "encoder model (GGUF or Hugging Face folder)");
  p.Option("pooling", "", &pooling, "mean|cls|last", "override the model's pooling");
  p.Flag("normalize", "", &normalize, "L2-normalize each vector");
  p.Flag("truncate", "", &truncate, "cut inputs longer than the model's positions (else refuse)");
  p.Flag("json", "", &json, "one JSON object per line");
  p.Option("threads", "t", &threads, "N", "threads (default: all cores)");
  p.Option("batch-tokens", "b", &batch_tokens, "N", "tokens per packed batch (default 2048)");
  p.Positional("FILE", &input, "input file, one text per line ('-' or absent: stdin)", false);
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (model_path.empty()) return Fail(InvalidArgument("no model given (use -m PATH)"));

  runtime::EmbedOptions eo;
  eo.n_threads = ResolveThreads(threads);
  eo.normalize = normalize;
  eo.truncate = truncate;
  eo.max_batch_tokens = batch_tokens;
  if (!pooling.empty()) {
    eo.use_model_pooling = false;
    if (pooling == "mean") eo.pooling = ops::PoolMode::kMean;
    else if (pooling == "cls") eo.pooling = ops::PoolMode::kCls;
    else if (pooling == "last") eo.pooling = ops::PoolMode::kLast;
    else return Fail(InvalidArgument("option --pooling: expected mean, cls or last, got '" + pooling + "'"));
  }
  std::vector<std::string> lines;
  {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (input != "-") {
      file.open(input, std::ios::binary);
      if (!file) return Fail(NotFound(input + ": cannot open for reading"));
      in = &file;
    }
    std::string line;
    while (std::getline(*in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(line);
    }
  }
  auto model = models::LoadModel(model_path);
  if (!model.ok()) return Fail(model.status());
  auto embedder = runtime::Embedder::Create(**model, eo);
  if (!embedder.ok()) return Fail(embedder.status());
  std::vector<std::vector<int32_t>> ids;
  for (const auto& l : lines) ids.push_back((*model)->tokenizer().Encode(l, true));
  auto vectors = (*embedder)->Embed(ids);
  if (!vectors.ok()) return Fail(vectors.status());
  for (size_t i = 0; i < vectors->size(); ++i) {
    const std::vector<float>& v = (*vectors)[i];
    if (json) {
      nlohmann::json j = {{"index", i}, {"tokens", ids[i]}, {"embedding", v}};
      std::printf("%s\n", j.dump().c_str());
      continue;
    }
    for (size_t k = 0; k < v.size(); ++k) std::printf(k ? "\t%.9g" : "%.9g", v[k]);
    std::printf("\n");
  }
  return 0;
}

}  // namespace miaotui::cli
