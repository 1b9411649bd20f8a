#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace miaotui::runtime {

Status SamplingParams::Validate() const {
  if (!(temperature >= 0) || temperature > 100) {
    return InvalidArgument("--temp must be in [0, 100], got " + std::to_string(temperature));
  }
  if (!(top_p > 0) || top_p > 1) {
    return InvalidArgument("--top-p must be in (0, 1], got " + std::to_string(top_p));
  }
  if (!(min_p >= 0) || min_p >= 1) {
    return InvalidArgument("--min-p must be in [0, 1), got " + std::to_string(min_p));
  }
  if (!(repeat_penalty > 0)) {
    return InvalidArgument("--repeat-penalty must be > 0, got " + std::to_string(repeat_penalty));
  }
  if (!(presence_penalty >= -2) || presence_penalty > 2) {
    return InvalidArgument("presence_penalty must be in [-2, 2], got " +
                           std::to_string(presence_penalty));
  }
  if (!(frequency_penalty >= -2) || frequency_penalty > 2) {
    return InvalidArgument("frequency_penalty must be in [-2, 2], got " +
                           std::to_string(frequency_penalty));
  }
  if (repeat_last_n < 0) {
    return InvalidArgument("--repeat-last-n must be >= 0, got " + std::to_string(repeat_last_n));
  }
  return Status::Ok();
}

int32_t Argmax(std::span<const float> logits) {
  int32_t best = 0;
  for (size_t i = 1; i < logits.size(); ++i) {
    if (logits[i] > logits[best]) best = static_cast<int32_t>(i);
  }
  return best;
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) {}

int32_t Sampler::Sample(std::span<const float> logits, std::span<const int32_t> history,
                        size_t generated_from) {
  const int32_t n = static_cast<int32_t>(logits.size());
  cands_.resize(n);
  // NaN (from a model with NaN weights or scales) would break the sort's ordering: it ranks
  // last; +inf ranks first without turning the softmax into inf - inf.
  for (int32_t i = 0; i < n; ++i) {
    const float l = logits[i];
    cands_[i] = {i, std::isnan(l) ? -HUGE_VALF : std::min(l, std::numeric_limits<float>::max()),
                 0.0f};
  }

  if (params_.repeat_penalty != 1.0f && params_.repeat_last_n > 0) {
    std::unordered_set<int32_t> seen;
    size_t from = history.size() > static_cast<size_t>(params_.repeat_last_n)
                      ? history.size() - params_.repeat_last_n
                      : 0;
    for (size_t i = from; i < history.size(); ++i) seen.insert(history[i]);
    for (int32_t id : seen) {
      if (id < 0 || id >= n) continue;
      float& l = cands_[id].logit;
      l = l > 0 ? l / params_.repeat_penalty : l * params_.repeat_penalty;
    }
  }

  if ((params_.presence_penalty != 0 || params_.frequency_penalty != 0) &&
      generated_from < history.size()) {
    std::unordered_map<int32_t, int32_t> counts;
    for (size_t i = generated_from; i < history.size(); ++i) counts[history[i]]++;
    for (const auto& [id, count] : counts) {
      if (id < 0 || id >= n) continue;
      cands_[id].logit -= static_cast<float>(count) * params_.frequency_penalty +
                          params_.presence_penalty;
    }
  }

  auto by_logit = [](const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  if (params_.temperature <= 0) {
    return std::min_element(cands_.begin(), cands_.end(), by_logit)->id;
  }

  size_t keep = cands_.size();
  if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < keep) {
    keep = static_cast<size_t>(params_.top_k);
    std::partial_sort(cands_.begin(), cands_.begin() + keep, cands_.end(), by_logit);
  } else {
    std::sort(cands_.begin(), cands_.end(), by_logit);
  }
  cands_.resize(keep);
  if (cands_[0].logit == -HUGE_VALF) return cands_[0].id;  // every logit NaN or -inf

  // Probabilities at temperature 1 for top-p / min-p.
  auto softmax = [&](float temp) {
    const float mx = cands_[0].logit;
    double sum = 0;
    for (auto& c : cands_) {
      c.p = std::exp((c.logit - mx) / temp);
      sum += c.p;
    }
    for (auto& c : cands_) c.p = static_cast<float>(c.p / sum);
  };
  softmax(1.0f);
  if (params_.top_p < 1.0f) {
    double cum = 0;
    size_t k = 0;
    while (k < cands_.size()) {
      cum += cands_[k].p;
      ++k;
      if (cum >= params_.top_p) break;
    }
    cands_.resize(std::max<size_t>(k, 1));
  }
  if (params_.min_p > 0) {
    const float floor_p = cands_[0].p * params_.min_p;
    size_t k = 1;
    while (k < cands_.size() && cands_[k].p >= floor_p) ++k;
    cands_.resize(k);
  }
  softmax(params_.temperature);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double r = u(rng_), cum = 0;
  for (const auto& c : cands_) {
    cum += c.p;
    if (r < cum) return c.id;
  }
  return cands_.back().id;
}

}  // namespace miaotui::runtime
