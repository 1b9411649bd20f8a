#include "runtime/memory_plan.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "graph/passes.h"
#include "graph/weight_packer.h"
#include "tensor/dtype.h"

namespace miaotui::runtime {
namespace {

std::string Bytes(int64_t b) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%lld bytes (%.1f MiB)", static_cast<long long>(b),
                static_cast<double>(b) / (1 << 20));
  return buf;
}

}  // namespace

std::string MemoryPlan::ToString() const {
  return "memory plan for a context of " + std::to_string(n_ctx) + " tokens:\n" +
         "  weights (mapped)   " + Bytes(weight_bytes) + "\n" +
         (packed_bytes > 0 ? "    of which packed " + Bytes(packed_bytes) + " (copied at load)\n"
                           : std::string()) +
         "  KV cache           " + Bytes(kv_bytes) + "\n" +
         "  activation arena   " + Bytes(arena_bytes) + "\n" +
         "  total              " + Bytes(total()) + "\n";
}

Result<MemoryPlan> PlanSessionMemory(const models::Model& model, const SessionOptions& options) {
  const models::ModelInfo& info = model.info();
  if (info.is_encoder) return InvalidArgument(info.path + ": an encoder has no decoder session");
  MemoryPlan plan;
  plan.n_ctx = Session::ResolveContext(info, options.n_ctx);
  if (plan.n_ctx > (1 << 20)) {
    return InvalidArgument("context size " + std::to_string(plan.n_ctx) +
                           " is larger than 1048576");
  }
  const int64_t n_blocks = (plan.n_ctx + Session::kBlockSize - 1) / Session::kBlockSize;
  plan.weight_bytes = info.weight_bytes;
  plan.kv_bytes = 2 * info.n_layer * n_blocks * Session::kBlockSize *
                  static_cast<int64_t>(RowBytes(options.kv_type, info.kv_dim));
  const int64_t batch = std::max<int64_t>(1, std::min(options.max_batch, plan.n_ctx));
  models::ForwardGraph fg = model.BuildForward(
      {.n_tokens = batch, .n_outputs = batch, .n_seqs = 1, .max_blocks = n_blocks});
  graph::Optimize(fg.graph, options.passes);
  plan.arena_bytes = static_cast<int64_t>(fg.graph.arena_bytes);
  if (options.passes.pack_weights) {
    plan.packed_bytes = graph::PackableBytes(fg.graph, kernels::ActiveIsa());
  }
  return plan;
}

Result<int64_t> AvailableMemoryBytes() {
  if (const char* env = std::getenv("MIAOTUI_MEM_AVAILABLE")) {
    char* end = nullptr;
    long long v = std::strtoll(env, &end, 10);
    if (end == env || *end != '\0' || v < 0) {
      return InvalidArgument(std::string("MIAOTUI_MEM_AVAILABLE: expected bytes, got '") + env +
                             "'");
    }
    return static_cast<int64_t>(v);
  }
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string key;
    long long kib = 0;
    if (ss >> key >> kib && key == "MemAvailable:") return static_cast<int64_t>(kib) * 1024;
  }
  return Unimplemented("/proc/meminfo has no MemAvailable");
}

Status CheckMemoryPlanFits(const MemoryPlan& plan) {
  auto avail = AvailableMemoryBytes();
  if (!avail.ok()) return Status::Ok();  // unknown: nothing to check against
  if (plan.total() <= *avail) return Status::Ok();
  return ResourceExhausted(
      "the model needs " + Bytes(plan.total()) + " (weights " + Bytes(plan.weight_bytes) +
      " + KV cache " + Bytes(plan.kv_bytes) + " for a context of " + std::to_string(plan.n_ctx) +
      " + activations " + Bytes(plan.arena_bytes) + ") but only " + Bytes(*avail) +
      " are available (MemAvailable); use a smaller --ctx-size");
}

}  // namespace miaotui::runtime
