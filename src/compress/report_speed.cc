#include "compress/report_speed.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>

#include "runtime/session.h"

namespace miaotui::compress {
namespace {

using Clock = std::chrono::steady_clock;

// Tokens/s of one run from an empty context: a prompt of n_prompt tokens, or (n_prompt == 0)
// n_gen single-token steps.
Result<double> TimedRun(runtime::Session& s, int64_t n_vocab, int n_prompt, int n_gen,
                        std::mt19937& rng) {
  s.Reset();
  std::uniform_int_distribution<int32_t> tok(0, static_cast<int32_t>(n_vocab - 1));
  std::vector<int32_t> ids(static_cast<size_t>(n_prompt > 0 ? n_prompt : n_gen));
  for (int32_t& id : ids) id = tok(rng);
  const auto t0 = Clock::now();
  if (n_prompt > 0) {
    MT_RETURN_IF_ERROR(s.Decode(ids, false).status());
  } else {
    for (const int32_t& id : ids) {
      MT_RETURN_IF_ERROR(s.Decode(std::span<const int32_t>(&id, 1), false).status());
    }
  }
  const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
  return static_cast<double>(ids.size()) / std::max(sec, 1e-9);
}

}  // namespace

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Result<std::vector<SpeedResult>> MeasureSpeedInterleaved(
    const std::vector<const models::Model*>& models, const SpeedOptions& o) {
  if (o.repetitions < 1) {
    return InvalidArgument("speed: repetitions must be at least 1, got " +
                           std::to_string(o.repetitions));
  }
  if (o.n_prompt < 0 || o.n_gen < 0) {
    return InvalidArgument("speed: prompt and generation lengths must be >= 0");
  }
  runtime::SessionOptions so;
  so.n_threads = o.n_threads;
  so.n_ctx = std::max(o.n_prompt, o.n_gen) + 16;
  std::vector<std::unique_ptr<runtime::Session>> sessions;
  for (const models::Model* m : models) {
    MT_ASSIGN_OR_RETURN(auto s, runtime::Session::Create(*m, so));
    sessions.push_back(std::move(s));
  }
  std::mt19937 rng(o.seed);
  std::vector<SpeedResult> r(models.size());
  // Round -1 warms up (plans the graphs, touches the mapped weights) and is not recorded.
  for (int round = -1; round < o.repetitions; ++round) {
    for (int pass = 0; pass < 2; ++pass) {
      const int n_prompt = pass == 0 ? o.n_prompt : 0, n_gen = pass == 0 ? 0 : o.n_gen;
      if (n_prompt == 0 && n_gen == 0) continue;
      for (size_t i = 0; i < models.size(); ++i) {
        MT_ASSIGN_OR_RETURN(double tps, TimedRun(*sessions[i], models[i]->info().n_vocab,
                                                 n_prompt, n_gen, rng));
        if (round >= 0) (pass == 0 ? r[i].pp_runs : r[i].tg_runs).push_back(tps);
      }
    }
  }
  for (SpeedResult& s : r) {
    s.pp_median = Median(s.pp_runs);
    s.tg_median = Median(s.tg_runs);
  }
  return r;
}

Result<SpeedResult> MeasureSpeed(const models::Model& model, const SpeedOptions& o) {
  MT_ASSIGN_OR_RETURN(std::vector<SpeedResult> r, MeasureSpeedInterleaved({&model}, o));
  return std::move(r.front());
}

}  // namespace miaotui::compress
