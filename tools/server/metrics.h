// Metrics: the server's counters and latency histograms, rendered as Prometheus text (version
// 0.0.4) together with the engine's gauges. Thread-safe; every method is cheap (one mutex).
//
// Exposed: miaotui_requests_total{endpoint,status}, miaotui_prompt_tokens_total,
// miaotui_generated_tokens_total, miaotui_queue_length, miaotui_running_sequences,
// miaotui_kv_blocks_used, miaotui_kv_blocks_total, miaotui_prefix_cache_hit_tokens_total,
// miaotui_time_to_first_token_seconds and miaotui_inter_token_latency_seconds (histograms),
// miaotui_active_streams.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "runtime/engine.h"

namespace miaotui::server {

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Appends the _bucket / _sum / _count lines of `name`.
  void Render(const std::string& name, std::string* out) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket (not cumulative); the last is +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

class Metrics {
 public:
  Metrics();
  void CountRequest(const std::string& endpoint, int status);
  void ObserveTimeToFirstToken(double seconds);
  void ObserveInterTokenLatency(double seconds);
  void StreamStarted();
  void StreamEnded();
  std::string Render(const runtime::EngineStats* stats) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  Histogram ttft_, itl_;
  int64_t active_streams_ = 0;
};

}  // namespace miaotui::server
