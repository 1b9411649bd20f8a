// The memory a Session will need, computed before allocating any of it: the mapped weights, the
// KV cache for the context and the activation arena of the largest prompt graph (planned by
// graph::Optimize, not guessed). `miaotui run` checks it against MemAvailable up front and
// prints it with --dry-run (docs/ERRORS.md, resource limits).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "models/model.h"
#include "runtime/session.h"

namespace miaotui::runtime {

struct MemoryPlan {
  int64_t n_ctx = 0;
  int64_t weight_bytes = 0;  // mapped (or copied) weights
  // Of those, the bytes the CPU kernels use as packed copies (graph/weight_packer.h): anonymous
  // memory in place of the mapped pages they came from, which are then no longer read (so they
  // count once).
  int64_t packed_bytes = 0;
  int64_t kv_bytes = 0;      // K and V for n_ctx tokens, every layer
  int64_t arena_bytes = 0;   // activations of the largest prompt batch
  int64_t total() const { return weight_bytes + kv_bytes + arena_bytes; }
  std::string ToString() const;  // one line per item, with MiB
};

// Plans a decoder session with `options` (the same context resolution as Session::Create).
Result<MemoryPlan> PlanSessionMemory(const models::Model& model, const SessionOptions& options);

// MemAvailable from /proc/meminfo, in bytes; MIAOTUI_MEM_AVAILABLE (bytes) overrides it (tests).
Result<int64_t> AvailableMemoryBytes();

// ResourceExhausted naming every item of the plan when it exceeds AvailableMemoryBytes().
Status CheckMemoryPlanFits(const MemoryPlan& plan);

}  // namespace miaotui::runtime
