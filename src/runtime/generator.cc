#include "runtime/generator.h"

#include <chrono>

#include "base/utf8.h"
#include "runtime/finite_check.h"

namespace miaotui::runtime {
namespace {
double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Result<GenerateResult> Generate(Session& session, const std::vector<int32_t>& prompt,
                                const GenerateOptions& options,
                                const std::function<void(std::string_view)>& on_text) {
  MT_RETURN_IF_ERROR(options.sampling.Validate());
  if (prompt.empty()) return InvalidArgument("the prompt has no tokens");
  const auto& tok = session.model().tokenizer();
  GenerateResult result;
  std::vector<int32_t> history = prompt;
  Sampler sampler(options.sampling);

  double t0 = Now();
  MT_ASSIGN_OR_RETURN(std::span<const float> logits, session.Decode(prompt, options.prompt_logits));
  MT_RETURN_IF_ERROR(CheckLogitsFinite(session.model(), logits));
  const int64_t n_vocab = session.model().info().n_vocab;
  if (options.prompt_logits) {
    result.prompt_logits.assign(logits.begin(), logits.end());
    logits = logits.subspan(logits.size() - n_vocab);
  }
  result.prompt_seconds = Now() - t0;

  double t1 = Now();
  std::string pending;  // bytes not yet streamed
  for (int32_t i = 0; options.n_predict < 0 || i < options.n_predict; ++i) {
    int32_t id = sampler.Sample(logits, history);
    MT_ASSIGN_OR_RETURN(id, session.AgreeToken(id));  // distributed runs: one token everywhere
    if (!options.ignore_eos && tok.IsEndOfGeneration(id)) {
      result.stopped_at_eog = true;
      break;
    }
    result.tokens.push_back(id);
    history.push_back(id);
    std::string piece = tok.TokenToPiece(id);
    result.text += piece;
    pending += piece;
    const size_t ready = pending.size() - IncompleteUtf8Suffix(pending);
    if (ready > 0 && on_text) on_text(std::string_view(pending).substr(0, ready));
    pending.erase(0, ready);
    if (session.n_past() >= session.n_ctx()) break;  // context full
    if (options.n_predict >= 0 && i + 1 == options.n_predict) break;
    MT_ASSIGN_OR_RETURN(logits, session.Decode(std::span<const int32_t>(&id, 1), false));
    MT_RETURN_IF_ERROR(CheckLogitsFinite(session.model(), logits));
  }
  if (!pending.empty() && on_text) on_text(pending);
  result.generate_seconds = Now() - t1;
  return result;
}

}  // namespace miaotui::runtime
