// Engine: continuous batching over a paged KV cache. Many generation requests share one model and
// one scheduler thread; every step runs ONE graph holding the next token of every decoding
// sequence plus chunks of waiting prompts, up to a per-step token budget, so running streams keep
// flowing while a long prompt arrives. Prompts that share a prefix share its KV blocks (prefix
// caching, see block_pool.h).
//
// Submit() and Cancel() are thread-safe and return at once; a request's events are delivered by
// calling its callback ON THE SCHEDULER THREAD (keep callbacks short: queue the event and return).
// Every request gets exactly one event with `finished` set, whatever happens (end of sequence,
// length, stop string, cancellation, shutdown). Admission: a request waits while the running set
// is full or its KV blocks cannot be reserved; beyond max_queue waiting requests Submit refuses
// (ResourceExhausted). A request is refused up front if its prompt cannot fit the context.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "graph/passes.h"
#include "models/model.h"
#include "runtime/sampler.h"
#include "runtime/token_constraint.h"

namespace miaotui::dist {
class Communicator;
}

namespace miaotui::runtime {

struct EngineOptions;

// One engine step's graph inputs as the scheduler filled them, just before the graph runs.
// Distributed serving (tools/cli/serve_dist.h) broadcasts them so every tensor-parallel rank runs
// the same graph over the same KV slots; `options` is the engine's resolved configuration.
struct StepInputs {
  const EngineOptions* options;
  models::ForwardShape shape;
  std::span<const int32_t> tokens, positions, slots, seq_ids, block_table, out_rows;
};

struct EngineOptions {
  int n_threads = 0;            // 0: every core
  int64_t n_ctx = 2048;         // tokens per sequence (prompt + generated), at most
  int64_t max_seqs = 8;         // sequences decoded together
  int64_t kv_blocks = 0;        // 0: enough for max_seqs full contexts
  int64_t block_size = 16;
  int64_t step_tokens = 256;    // tokens per step: decode tokens first, then prompt chunks
  int64_t max_queue = 64;       // waiting requests beyond which Submit refuses
  DType kv_type = DType::kF16;
  bool prefix_cache = true;
  graph::PassOptions passes;
  // Tensor-parallel serving: the ranks' communicator (the graph's all-reduces) and a hook called
  // with every step's inputs before the graph runs. Null / empty: one process.
  dist::Communicator* comm = nullptr;
  std::function<Status(const StepInputs&)> on_step;
};

enum class FinishReason { kNone, kStop, kLength, kCancelled, kError };
const char* FinishReasonName(FinishReason r);  // "stop", "length", "cancelled", "error"

struct GenerationRequest {
  std::vector<int32_t> prompt;
  SamplingParams sampling;
  int32_t max_tokens = 128;        // < 0: until end of sequence or a full context
  bool ignore_eos = false;
  std::vector<std::string> stop;   // stop strings (not included in the text)
  int32_t top_logprobs = -1;       // < 0: no logprobs; 0: the chosen token's; n: also top n
  // Optional: masks the logits before each draw (e.g. JSON output); logprobs stay unmasked.
  std::shared_ptr<TokenConstraint> constraint;
};

struct TokenLogprob {
  int32_t id;
  float logprob;
};

struct GenerationEvent {
  std::string text;                 // new text: complete UTF-8, stop strings held back
  int32_t token = -1;               // the token this event adds (-1 for a final-only event)
  float logprob = 0;                // when asked
  std::vector<TokenLogprob> top;    // when asked
  bool finished = false;
  FinishReason reason = FinishReason::kNone;
  std::string error;                // kError
  int64_t prompt_tokens = 0, completion_tokens = 0, cached_tokens = 0;
};

using EventCallback = std::function<void(const GenerationEvent&)>;

struct EngineStats {
  int64_t waiting = 0, running = 0;
  int64_t kv_blocks_used = 0, kv_blocks_total = 0;
  int64_t prefix_hit_tokens = 0;
  int64_t prompt_tokens = 0, generated_tokens = 0, steps = 0;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Create(const models::Model& model,
                                                const EngineOptions& options);
  ~Engine();  // cancels what is left and joins the scheduler thread

  Result<uint64_t> Submit(GenerationRequest request, EventCallback on_event);
  void Cancel(uint64_t id);
  // Stops admitting; with finish_running the scheduler completes every request already
  // submitted, otherwise cancels them. Blocks until the scheduler is idle.
  void Shutdown(bool finish_running);

  EngineStats stats() const;
  const EngineOptions& options() const { return options_; }

 private:
  struct Sequence;
  class Impl;
  Engine() = default;

  EngineOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace miaotui::runtime
