// Perplexity over non-overlapping windows of a tokenized text, exactly as llama-perplexity
// computes it, and the agreement of a model with a base model on the same windows.
//
// The whole text is tokenized once (BOS added when the vocabulary says so). Chunk c holds tokens
// [c * n_ctx, (c + 1) * n_ctx); when the vocabulary adds BOS, the chunk's first token is replaced
// by BOS. Each chunk is evaluated from an empty KV cache; only the second half is scored: the
// predictions at positions n_ctx/2 .. n_ctx-2 of the tokens that follow them (n_ctx - n_ctx/2 - 1
// tokens per chunk). PPL = exp(mean NLL), error = PPL * sqrt(var(NLL) / (count - 1)).
//
// With a base model, the same windows also give, per scored position, KL(base || model) and
// whether both models' top token agree (means with standard errors), and the base model's PPL.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "base/status.h"
#include "models/model.h"
#include "tensor/dtype.h"

namespace miaotui::compress {

struct PerplexityOptions {
  int64_t n_ctx = 512;      // window length in tokens (>= 4)
  int64_t n_chunks = -1;    // < 0: every whole window of the text
  int n_threads = 0;        // 0: every core
  DType kv_type = DType::kF16;
  // Called after each chunk with (chunks done, chunks in all, running PPL).
  std::function<void(int64_t, int64_t, double)> progress;
};

struct PerplexityResult {
  int64_t n_tokens = 0;     // tokens of the whole text (BOS included)
  int64_t n_chunks = 0;
  int64_t n_scored = 0;
  double ppl = 0, ppl_error = 0;
  std::vector<double> running_ppl;  // after each chunk
  // Only with a base model.
  bool has_base = false;
  double base_ppl = 0, base_ppl_error = 0;
  double mean_kl = 0, mean_kl_error = 0;
  double top1_agree = 0, top1_agree_error = 0;  // fractions in [0, 1]
};

// Tokenizes `text` with the model's tokenizer and evaluates it. `base` may be null. Errors: a
// window shorter than 4, a text of fewer than 2 * n_ctx tokens, a base model whose vocabulary
// size differs, and anything Session reports.
Result<PerplexityResult> Perplexity(const models::Model& model, const models::Model* base,
                                    const std::string& text, const PerplexityOptions& options);

// The same over already tokenized text (tokens[0] is BOS when the vocabulary adds one).
Result<PerplexityResult> PerplexityOfTokens(const models::Model& model,
                                            const models::Model* base,
                                            const std::vector<int32_t>& tokens,
                                            const PerplexityOptions& options);

}  // namespace miaotui::compress
