#include "compress/token_scores.h"

#include <cmath>
#include <vector>

namespace miaotui::compress {
namespace {

float MaxOf(const float* x, int64_t n) {
  float m = x[0];
  for (int64_t i = 1; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

// log sum_i exp(x_i - max), the exps in float and their sum in double.
double LogSumExpShifted(const float* x, int64_t n, float max) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(x[i] - max);
  return std::log(sum);
}

}  // namespace

double LogProbOf(const float* logits, int64_t n_vocab, int32_t token) {
  const float max = MaxOf(logits, n_vocab);
  return logits[token] - max - LogSumExpShifted(logits, n_vocab, max);
}

double KlDivergence(const float* base_logits, const float* model_logits, int64_t n_vocab) {
  const float bmax = MaxOf(base_logits, n_vocab), mmax = MaxOf(model_logits, n_vocab);
  const double blse = LogSumExpShifted(base_logits, n_vocab, bmax);
  const double mlse = LogSumExpShifted(model_logits, n_vocab, mmax);
  double kl = 0;
  for (int64_t i = 0; i < n_vocab; ++i) {
    const double lb = base_logits[i] - bmax - blse;
    const double lm = model_logits[i] - mmax - mlse;
    kl += std::exp(lb) * (lb - lm);
  }
  return kl;
}

int64_t ArgMax(const float* logits, int64_t n_vocab) {
  int64_t best = 0;
  for (int64_t i = 1; i < n_vocab; ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  return best;
}

double ScoreStats::StdError() const {
  if (n_ < 2) return 0.0;
  const double mean = sum_ / n_;
  const double var = sum2_ / n_ - mean * mean;
  return var > 0 ? std::sqrt(var / (n_ - 1)) : 0.0;
}

}  // namespace miaotui::compress
