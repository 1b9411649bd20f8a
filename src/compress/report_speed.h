// Prompt-processing and generation throughput of one model, for `miaotui report`: the same
// measurement as `miaotui bench` (random token ids, a fresh context per run, one warm-up run,
// then `repetitions` timed runs; the median is reported), run through a runtime::Session.
//
// pp: one Decode of n_prompt tokens (logits of the last only). tg: n_gen Decodes of one token
// each, from an empty context. Tokens/s = tokens / wall seconds of the run.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "models/model.h"

namespace miaotui::compress {

struct SpeedOptions {
  int n_prompt = 128;     // 0: skip pp
  int n_gen = 32;         // 0: skip tg
  int repetitions = 3;    // >= 1
  int n_threads = 0;      // 0: every core
  uint32_t seed = 1234;   // of the random token ids
};

struct SpeedResult {
  std::vector<double> pp_runs, tg_runs;  // tokens/s per timed run
  double pp_median = 0, tg_median = 0;   // 0 when skipped
};

// The median of `v` (the mean of the middle two for an even count; 0 when empty).
double Median(std::vector<double> v);

// Errors: repetitions < 1, negative lengths, anything Session reports.
Result<SpeedResult> MeasureSpeed(const models::Model& model, const SpeedOptions& options);

// Several models compared: after one warm-up run each, `repetitions` rounds, each timing every
// model's pp run and then every model's tg run, so that a change of machine load during the
// measurement falls on all models alike (A/B alternation). One result per model, in order.
Result<std::vector<SpeedResult>> MeasureSpeedInterleaved(
    const std::vector<const models::Model*>& models, const SpeedOptions& options);

}  // namespace miaotui::compress
