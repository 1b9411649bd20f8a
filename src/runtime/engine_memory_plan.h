// The memory `miaotui serve` will need, computed before the engine allocates any of it: the
// mapped weights, the KV cache for every parallel sequence's full context (the engine's block
// pool: parallel x ceil(ctx / block) blocks unless kv_blocks says otherwise) and the activation
// arena of the largest engine step (step_tokens tokens from max_seqs sequences, planned by
// graph::Optimize). Checked against MemAvailable with runtime::CheckMemoryPlanFits; printed by
// `miaotui serve --dry-run`.
#pragma once

#include "base/status.h"
#include "models/model.h"
#include "runtime/engine.h"
#include "runtime/memory_plan.h"

namespace miaotui::runtime {

// Resolves the options as Engine::Create does (context, block count, step budget), then plans.
// MemoryPlan::n_ctx is the context of one sequence; kv_bytes covers all of them.
Result<MemoryPlan> PlanEngineMemory(const models::Model& model, const EngineOptions& options);

}  // namespace miaotui::runtime
