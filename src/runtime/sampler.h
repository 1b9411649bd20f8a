// Sampler: picks the next token from a row of logits.
//
// Order of operations (as llama.cpp's default chain): repetition penalty over the last
// repeat_last_n tokens, then OpenAI's presence / frequency penalties over the generated tokens
// (logit -= count * frequency_penalty + (count > 0) * presence_penalty), then top-k, then top-p and min-p (on probabilities at temperature 1),
// then temperature, then a draw from the seeded generator. temperature <= 0 is greedy (argmax,
// lowest id on exact ties) after the penalty. Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "base/status.h"

namespace miaotui::runtime {

struct SamplingParams {
  float temperature = 0.8f;
  int32_t top_k = 40;           // <= 0: off
  float top_p = 0.95f;          // >= 1: off
  float min_p = 0.05f;          // <= 0: off
  float repeat_penalty = 1.0f;  // 1: off
  int32_t repeat_last_n = 64;
  float presence_penalty = 0.0f;   // [-2, 2]; 0: off
  float frequency_penalty = 0.0f;  // [-2, 2]; 0: off
  uint64_t seed = 0;

  // Checks ranges; names the offending option.
  Status Validate() const;
};

class Sampler {
 public:
  explicit Sampler(const SamplingParams& params);
  // `history`: tokens seen so far (prompt and generated), for the repetition penalty;
  // history[generated_from..] are the generated ones, counted by the presence / frequency
  // penalties.
  int32_t Sample(std::span<const float> logits, std::span<const int32_t> history,
                 size_t generated_from = 0);

 private:
  struct Candidate {
    int32_t id;
    float logit;
    float p;
  };
  SamplingParams params_;
  std::mt19937_64 rng_;
  std::vector<Candidate> cands_;
};

// Index of the largest value; the lowest index wins exact ties.
int32_t Argmax(std::span<const float> logits);

}  // namespace miaotui::runtime
