#include "compress/perplexity.h"

#include <cmath>
#include <memory>
#include <span>
#include <string>

#include "compress/token_scores.h"
#include "runtime/session.h"

namespace miaotui::compress {
namespace {

Result<std::unique_ptr<runtime::Session>> MakeSession(const models::Model& m,
                                                      const PerplexityOptions& o) {
  runtime::SessionOptions so;
  so.n_threads = o.n_threads;
  so.n_ctx = o.n_ctx;
  so.kv_type = o.kv_type;
  so.max_batch = o.n_ctx;
  return runtime::Session::Create(m, so);
}

// All logits of one chunk, evaluated from an empty cache.
Result<std::span<const float>> EvalChunk(runtime::Session& s, std::span<const int32_t> chunk) {
  s.Reset();
  return s.Decode(chunk, /*all_logits=*/true);
}

}  // namespace

Result<PerplexityResult> Perplexity(const models::Model& model, const models::Model* base,
                                    const std::string& text, const PerplexityOptions& options) {
  std::vector<int32_t> tokens = model.tokenizer().Encode(text, /*add_special=*/true);
  return PerplexityOfTokens(model, base, tokens, options);
}

Result<PerplexityResult> PerplexityOfTokens(const models::Model& model,
                                            const models::Model* base,
                                            const std::vector<int32_t>& tokens,
                                            const PerplexityOptions& options) {
  const int64_t n_ctx = options.n_ctx;
  if (n_ctx < 4) {
    return InvalidArgument("context size " + std::to_string(n_ctx) +
                           " is too small for perplexity (at least 4)");
  }
  const auto n_tok = static_cast<int64_t>(tokens.size());
  if (n_tok < 2 * n_ctx) {
    return InvalidArgument("the text has " + std::to_string(n_tok) + " tokens; a context of " +
                           std::to_string(n_ctx) + " needs at least " +
                           std::to_string(2 * n_ctx) + " (use a longer text or a smaller -c)");
  }
  const int64_t n_vocab = model.info().n_vocab;
  if (base != nullptr && base->info().n_vocab != n_vocab) {
    return InvalidArgument("the base model has a vocabulary of " +
                           std::to_string(base->info().n_vocab) + " tokens, the model " +
                           std::to_string(n_vocab));
  }
  int64_t n_chunks = n_tok / n_ctx;
  if (options.n_chunks >= 0 && options.n_chunks < n_chunks) n_chunks = options.n_chunks;
  if (n_chunks == 0) return InvalidArgument("--chunks 0: nothing to evaluate");

  MT_ASSIGN_OR_RETURN(auto session, MakeSession(model, options));
  std::unique_ptr<runtime::Session> base_session;
  if (base != nullptr) {
    MT_ASSIGN_OR_RETURN(base_session, MakeSession(*base, options));
  }
  const bool add_bos = model.tokenizer().vocab().add_bos && model.tokenizer().bos_id() >= 0;
  const int64_t first = n_ctx / 2;
  PerplexityResult r;
  r.n_tokens = n_tok;
  r.n_chunks = n_chunks;
  r.has_base = base != nullptr;
  ScoreStats nll, base_nll, kl, agree;
  std::vector<int32_t> chunk(static_cast<size_t>(n_ctx));
  for (int64_t c = 0; c < n_chunks; ++c) {
    const int32_t* src = tokens.data() + c * n_ctx;
    chunk.assign(src, src + n_ctx);
    if (add_bos) chunk[0] = model.tokenizer().bos_id();
    MT_ASSIGN_OR_RETURN(std::span<const float> logits, EvalChunk(*session, chunk));
    std::span<const float> base_logits;
    if (base_session) {
      MT_ASSIGN_OR_RETURN(base_logits, EvalChunk(*base_session, chunk));
    }
    for (int64_t i = first; i < n_ctx - 1; ++i) {
      const float* row = logits.data() + i * n_vocab;
      const int32_t next = src[i + 1];
      nll.Add(-LogProbOf(row, n_vocab, next));
      if (!base_session) continue;
      const float* brow = base_logits.data() + i * n_vocab;
      base_nll.Add(-LogProbOf(brow, n_vocab, next));
      kl.Add(KlDivergence(brow, row, n_vocab));
      agree.Add(ArgMax(brow, n_vocab) == ArgMax(row, n_vocab) ? 1.0 : 0.0);
    }
    r.running_ppl.push_back(std::exp(nll.Mean()));
    if (options.progress) options.progress(c + 1, n_chunks, r.running_ppl.back());
  }
  r.n_scored = nll.count();
  r.ppl = std::exp(nll.Mean());
  r.ppl_error = r.ppl * nll.StdError();
  if (base_session) {
    r.base_ppl = std::exp(base_nll.Mean());
    r.base_ppl_error = r.base_ppl * base_nll.StdError();
    r.mean_kl = kl.Mean();
    r.mean_kl_error = kl.StdError();
    r.top1_agree = agree.Mean();
    r.top1_agree_error = agree.StdError();
  }
  return r;
}

}  // namespace miaotui::compress
