// miaotui classify: sequence classification with a BERT-style model that has a classifier head
// (Hugging Face BertForSequenceClassification, or a GGUF with cls.output.*).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "models/model.h"
#include "runtime/embedder.h"

namespace miaotui::cli {

int ClassifyCommand(int argc, char** argv) {
  std::string model_path;
  std::vector<std::string> texts;
  bool json = false, truncate = false;
  int32_t threads = 0;
  ArgParser p("miaotui classify",
              "Classify each TEXT: prints the best label and every label's probability.");
  p.Option("model", "m", &model_path, "PATH", "classifier model (GGUF or Hugging Face folder)");
  p.Flag("json", "", &json, "one JSON object per text: text, label, scores");
  p.Flag("truncate", "", &truncate, "cut inputs longer than the model's positions");
  p.Option("threads", "t", &threads, "N", "threads (default: all cores)");
  p.Rest("TEXT", &texts, "texts to classify");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (model_path.empty()) return Fail(InvalidArgument("no model given (use -m PATH)"));
  if (texts.empty()) return Fail(InvalidArgument("no TEXT given"));
  auto model = models::LoadModel(model_path);
  if (!model.ok()) return Fail(model.status());
  runtime::EmbedOptions eo;
  eo.n_threads = ResolveThreads(threads);
  eo.truncate = truncate;
  auto embedder = runtime::Embedder::Create(**model, eo);
  if (!embedder.ok()) return Fail(embedder.status());
  std::vector<std::vector<int32_t>> ids;
  for (const auto& t : texts) ids.push_back((*model)->tokenizer().Encode(t, true));
  auto logits = (*embedder)->Classify(ids);
  if (!logits.ok()) return Fail(logits.status());
  const auto& labels = (*model)->info().labels;
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::vector<float>& l = (*logits)[i];
    const float mx = *std::max_element(l.begin(), l.end());
    std::vector<double> prob(l.size());
    double sum = 0;
    for (size_t c = 0; c < l.size(); ++c) sum += prob[c] = std::exp(static_cast<double>(l[c] - mx));
    for (double& x : prob) x /= sum;
    const size_t best = std::max_element(prob.begin(), prob.end()) - prob.begin();
    if (json) {
      nlohmann::json scores = nlohmann::json::object();
      for (size_t c = 0; c < l.size(); ++c) scores[labels[c]] = prob[c];
      nlohmann::json j = {{"text", texts[i]}, {"label", labels[best]}, {"scores", scores}};
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      continue;
    }
    std::printf("%s", labels[best].c_str());
    for (size_t c = 0; c < l.size(); ++c) std::printf("\t%s=%.4f", labels[c].c_str(), prob[c]);
    std::printf("\t%s\n", texts[i].c_str());
  }
  return 0;
}

}  // namespace miaotui::cli
