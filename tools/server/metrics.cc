#include "metrics.h"

#include <cstdio>

namespace miaotui::server {
namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

void Gauge(std::string* out, const char* name, const char* type, const char* help, double v) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
          name + " " + Num(v) + "\n";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i]++;
  sum_ += v;
  count_++;
}

void Histogram::Render(const std::string& name, std::string* out) const {
  uint64_t cum = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cum += counts_[i];
    *out += name + "_bucket{le=\"" + Num(bounds_[i]) + "\"} " + std::to_string(cum) + "\n";
  }
  cum += counts_.back();
  *out += name + "_bucket{le=\"+Inf\"} " + std::to_string(cum) + "\n";
  *out += name + "_sum " + Num(sum_) + "\n";
  *out += name + "_count " + std::to_string(count_) + "\n";
}

Metrics::Metrics()
    : ttft_({0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}),
      itl_({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}) {}

void Metrics::CountRequest(const std::string& endpoint, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  requests_[{endpoint, status}]++;
}

void Metrics::ObserveTimeToFirstToken(double s) {
  std::lock_guard<std::mutex> lock(mu_);
  ttft_.Observe(s);
}

void Metrics::ObserveInterTokenLatency(double s) {
  std::lock_guard<std::mutex> lock(mu_);
  itl_.Observe(s);
}

void Metrics::StreamStarted() {
  std::lock_guard<std::mutex> lock(mu_);
  active_streams_++;
}

void Metrics::StreamEnded() {
  std::lock_guard<std::mutex> lock(mu_);
  active_streams_--;
}

std::string Metrics::Render(const runtime::EngineStats* st) const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  out += "# HELP miaotui_requests_total HTTP requests by endpoint and status code.\n"
         "# TYPE miaotui_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += "miaotui_requests_total{endpoint=\"" + key.first + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  if (st) {
    Gauge(&out, "miaotui_prompt_tokens_total", "counter", "Prompt tokens evaluated.",
          static_cast<double>(st->prompt_tokens));
    Gauge(&out, "miaotui_generated_tokens_total", "counter", "Tokens generated.",
          static_cast<double>(st->generated_tokens));
    Gauge(&out, "miaotui_queue_length", "gauge", "Requests waiting for admission.",
          static_cast<double>(st->waiting));
    Gauge(&out, "miaotui_running_sequences", "gauge", "Sequences being decoded.",
          static_cast<double>(st->running));
    Gauge(&out, "miaotui_kv_blocks_used", "gauge", "KV-cache blocks in use.",
          static_cast<double>(st->kv_blocks_used));
    Gauge(&out, "miaotui_kv_blocks_total", "gauge", "KV-cache blocks in all.",
          static_cast<double>(st->kv_blocks_total));
    Gauge(&out, "miaotui_prefix_cache_hit_tokens_total", "counter",
          "Prompt tokens served by the prefix cache.",
          static_cast<double>(st->prefix_hit_tokens));
    Gauge(&out, "miaotui_engine_steps_total", "counter", "Scheduler steps run.",
          static_cast<double>(st->steps));
  }
  Gauge(&out, "miaotui_active_streams", "gauge", "Streaming responses in flight.",
        static_cast<double>(active_streams_));
  out += "# HELP miaotui_time_to_first_token_seconds Time from request to first token.\n"
         "# TYPE miaotui_time_to_first_token_seconds histogram\n";
  ttft_.Render("miaotui_time_to_first_token_seconds", &out);
  out += "# HELP miaotui_inter_token_latency_seconds Time between consecutive tokens.\n"
         "# TYPE miaotui_inter_token_latency_seconds histogram\n";
  itl_.Render("miaotui_inter_token_latency_seconds", &out);
  return out;
}

}  // namespace miaotui::server
