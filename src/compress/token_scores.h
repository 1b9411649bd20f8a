// Per-token scores of a model's next-token predictions, computed the way llama-perplexity does:
// the log-probability of the observed token (for perplexity), and, against a base model's row,
// the KL divergence KL(base || model) and whether both put the same token first.
//
// ScoreStats accumulates scores and reports means with the standard error of the mean.
// Every function is pure; rows are raw (pre-softmax) logits of n_vocab floats.
#pragma once

#include <cstdint>

namespace miaotui::compress {

// log softmax(logits)[token]: max subtracted, exp in float, the sum of exps in double (as
// llama-perplexity's log_softmax).
double LogProbOf(const float* logits, int64_t n_vocab, int32_t token);

// KL(p_base || p_model) = sum_i p_base(i) (log p_base(i) - log p_model(i)), in double.
double KlDivergence(const float* base_logits, const float* model_logits, int64_t n_vocab);

// Index of the largest logit (the lowest index on ties).
int64_t ArgMax(const float* logits, int64_t n_vocab);

// Running mean of samples and the standard error of that mean: sqrt(var / (n - 1)), where var
// is the population variance E[v^2] - E[v]^2 (llama-perplexity's formula); 0 when n < 2.
class ScoreStats {
 public:
  void Add(double v) {
    sum_ += v;
    sum2_ += v * v;
    ++n_;
  }
  int64_t count() const { return n_; }
  double Mean() const { return n_ ? sum_ / n_ : 0.0; }
  double StdError() const;

 private:
  double sum_ = 0, sum2_ = 0;
  int64_t n_ = 0;
};

}  // namespace miaotui::compress
