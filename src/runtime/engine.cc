#include "runtime/engine.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "base/cpu_features.h"
#include "base/log.h"
#include "base/thread_pool.h"
#include "graph/executor.h"
#include "graph/kv_cache.h"
#include "runtime/block_pool.h"
#include "runtime/finite_check.h"
#include "runtime/stop_text.h"
#include "tokenizer/stream_decoder.h"

namespace miaotui::runtime {

const char* FinishReasonName(FinishReason r) {
  switch (r) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kCancelled: return "cancelled";
    case FinishReason::kError: return "error";
    default: return "none";
  }
}

struct Engine::Sequence {
  uint64_t id;
  GenerationRequest req;
  EventCallback cb;
  std::vector<int32_t> tokens;  // prompt, then generated tokens
  int64_t n_prompt = 0;
  int64_t n_computed = 0;       // tokens whose K/V are in the cache
  int64_t n_registered = 0;     // full blocks offered to the prefix cache
  int64_t n_generated = 0;
  int64_t cached_tokens = 0;    // prompt tokens served by the prefix cache
  bool cancelled = false;
  std::vector<int32_t> blocks;
  int64_t reserve = 0;          // blocks this sequence may need in all
  std::unique_ptr<Sampler> sampler;
  std::unique_ptr<tokenizer::StreamDecoder> decoder;
  std::unique_ptr<StopTextFilter> stop;
};

class Engine::Impl {
 public:
  Impl(const models::Model& model, const EngineOptions& o)
      : model_(model),
        o_(o),
        pool_(o.n_threads > 0 ? o.n_threads : HardwareConcurrency()),
        executor_(&pool_),
        max_blocks_((o.n_ctx + o.block_size - 1) / o.block_size),
        kv_(static_cast<int>(model.info().n_layer), o.kv_blocks, o.block_size,
            model.info().kv_dim, o.kv_type),
        blocks_(o.kv_blocks, o.block_size) {
    executor_.SetCommunicator(o.comm);
    thread_ = std::thread([this] { Loop(); });
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      finish_running_ = false;
    }
    cv_.notify_all();
    thread_.join();
  }

  Result<uint64_t> Submit(GenerationRequest req, EventCallback cb) {
    const int64_t n = static_cast<int64_t>(req.prompt.size());
    if (n == 0) return InvalidArgument("the prompt has no tokens");
    if (n >= o_.n_ctx) {
      return OutOfRange("the prompt has " + std::to_string(n) +
                        " tokens but the context holds " + std::to_string(o_.n_ctx) +
                        " (prompt and completion together)");
    }
    for (int32_t t : req.prompt) {
      if (t < 0 || t >= model_.info().n_vocab) {
        return InvalidArgument("token id " + std::to_string(t) + " is outside the vocabulary");
      }
    }
    MT_RETURN_IF_ERROR(req.sampling.Validate());
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return ResourceExhausted("the server is shutting down");
    if (static_cast<int64_t>(waiting_.size() + inbox_.size()) >= o_.max_queue) {
      return ResourceExhausted("the queue is full (" + std::to_string(o_.max_queue) +
                               " requests waiting); try again later");
    }
    auto s = std::make_unique<Sequence>();
    s->id = next_id_++;
    s->req = std::move(req);
    s->cb = std::move(cb);
    inbox_.push_back(std::move(s));
    const uint64_t id = inbox_.back()->id;
    cv_.notify_all();
    return id;
  }

  void Cancel(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    cancels_.push_back(id);
    cv_.notify_all();
  }

  void Shutdown(bool finish_running) {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    finish_running_ = finish_running;
    cv_.notify_all();
    idle_cv_.wait(lock, [&] { return idle_; });
  }

  EngineStats stats() const {
    std::lock_guard<std::mutex> lock(stats_mu_);
    return stats_;
  }

 private:
  void Loop();
  bool TakeInbox();  // returns false when the loop should end
  void Admit();
  Status Step();
  void Finish(Sequence& s, FinishReason reason, const std::string& error = "");
  void EmitToken(Sequence& s, int32_t token, const float* logits);
  void ReleaseBlocks(Sequence& s);
  void RegisterFullBlocks(Sequence& s);
  void PublishStats();
  const models::ForwardGraph& GraphFor(const models::ForwardShape& shape);

  const models::Model& model_;
  EngineOptions o_;
  ThreadPool pool_;
  graph::Executor executor_;
  int64_t max_blocks_;
  graph::KvCache kv_;
  BlockPool blocks_;
  std::map<models::ForwardShape, models::ForwardGraph> graphs_;
  std::vector<float> masked_;  // a constrained request's logits row

  // Shared with Submit/Cancel.
  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::unique_ptr<Sequence>> inbox_;
  std::vector<uint64_t> cancels_;
  bool stopping_ = false, finish_running_ = false, idle_ = false;
  uint64_t next_id_ = 1;

  // Scheduler-thread state.
  std::deque<std::unique_ptr<Sequence>> waiting_;
  std::vector<std::unique_ptr<Sequence>> running_;
  int64_t outstanding_ = 0;  // reserved but not yet allocated blocks of running sequences

  mutable std::mutex stats_mu_;
  EngineStats stats_;
  std::thread thread_;
};

bool Engine::Impl::TakeInbox() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while (!inbox_.empty()) {
      waiting_.push_back(std::move(inbox_.front()));
      inbox_.pop_front();
    }
    for (uint64_t id : cancels_) {
      for (auto& s : running_) {
        if (s && s->id == id) s->cancelled = true;
      }
      for (auto& s : waiting_) {
        if (s && s->id == id) s->cancelled = true;
      }
    }
    cancels_.clear();
    if (stopping_ && !finish_running_) {
      for (auto& s : waiting_) s->cancelled = true;
      for (auto& s : running_) s->cancelled = true;
    }
    const bool has_work = !waiting_.empty() || !running_.empty();
    if (has_work) return true;
    PublishStats();
    if (stopping_) {
      idle_ = true;
      idle_cv_.notify_all();
      return false;
    }
    cv_.wait(lock);
  }
}

void Engine::Impl::Loop() {
  while (TakeInbox()) {
    // Drop cancelled sequences first.
    for (auto& s : running_) {
      if (s->cancelled) Finish(*s, FinishReason::kCancelled);
    }
    for (auto& s : waiting_) {
      if (s && s->cancelled) {
        Finish(*s, FinishReason::kCancelled);
        s.reset();
      }
    }
    std::erase_if(running_, [](const auto& s) { return s->cb == nullptr; });
    std::erase_if(waiting_, [](const auto& s) { return s == nullptr; });
    Admit();
    if (running_.empty()) {
      if (!waiting_.empty()) {
        // Nothing runs and the head of the queue cannot be admitted: it can never fit.
        auto& s = waiting_.front();
        Finish(*s, FinishReason::kError, "the KV cache is too small for this request");
        waiting_.pop_front();
      }
      continue;
    }
    if (Status st = Step(); !st.ok()) {
      MT_LOG_ERROR("engine step failed: %s", st.message().c_str());
      for (auto& s : running_) Finish(*s, FinishReason::kError, st.message());
      running_.clear();
    }
    std::erase_if(running_, [](const auto& s) { return s->cb == nullptr; });
    PublishStats();
  }
}

void Engine::Impl::Admit() {
  while (!waiting_.empty() && static_cast<int64_t>(running_.size()) < o_.max_seqs) {
    Sequence& s = *waiting_.front();
    const int64_t n = static_cast<int64_t>(s.req.prompt.size());
    const int64_t want = s.req.max_tokens < 0 ? o_.n_ctx : std::min(o_.n_ctx, n + s.req.max_tokens);
    const int64_t reserve = (want + o_.block_size - 1) / o_.block_size;
    std::vector<int32_t> matched;
    if (o_.prefix_cache) {
      // Keep at least the last prompt token to compute: its logits start the generation.
      matched = blocks_.MatchPrefix(s.req.prompt, (n - 1) / o_.block_size);
    }
    const int64_t need = reserve - static_cast<int64_t>(matched.size());
    if (blocks_.available() - outstanding_ < need) {
      for (int32_t b : matched) blocks_.Release(b);
      if (reserve > blocks_.n_blocks()) {
        Finish(s, FinishReason::kError, "the request needs " + std::to_string(reserve) +
                                            " KV blocks but the cache has " +
                                            std::to_string(blocks_.n_blocks()));
        waiting_.pop_front();
        continue;
      }
      return;  // wait for running sequences to finish
    }
    s.reserve = reserve;
    s.tokens = s.req.prompt;
    s.n_prompt = n;
    s.blocks = matched;
    s.n_computed = static_cast<int64_t>(matched.size()) * o_.block_size;
    s.n_registered = static_cast<int64_t>(matched.size());
    s.cached_tokens = s.n_computed;
    outstanding_ += need;
    s.sampler = std::make_unique<Sampler>(s.req.sampling);
    s.decoder = std::make_unique<tokenizer::StreamDecoder>(model_.tokenizer());
    s.stop = std::make_unique<StopTextFilter>(s.req.stop);
    running_.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
  }
}

const models::ForwardGraph& Engine::Impl::GraphFor(const models::ForwardShape& shape) {
  auto it = graphs_.find(shape);
  if (it != graphs_.end()) return it->second;
  if (graphs_.size() >= 64) graphs_.clear();
  models::ForwardGraph fg = model_.BuildForward(shape);
  graph::Optimize(fg.graph, o_.passes, &model_.weight_packer());
  return graphs_.emplace(shape, std::move(fg)).first->second;
}

Status Engine::Impl::Step() {
  struct Piece {
    Sequence* seq;
    int64_t begin, end;  // token range computed this step
  };
  std::vector<Piece> pieces;
  int64_t budget = o_.step_tokens;
  // Decode tokens first (one each), then prompt chunks, in arrival order.
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& sp : running_) {
      Sequence& s = *sp;
      const int64_t todo = static_cast<int64_t>(s.tokens.size()) - s.n_computed;
      const bool decoding = s.n_computed >= s.n_prompt;
      if (todo <= 0 || decoding != (pass == 0) || budget <= 0) continue;
      const int64_t take = std::min(todo, budget);
      pieces.push_back({&s, s.n_computed, s.n_computed + take});
      budget -= take;
    }
  }
  if (pieces.empty()) return Status::Ok();

  int64_t n_tokens = 0, n_outputs = 0;
  for (const Piece& p : pieces) {
    n_tokens += p.end - p.begin;
    if (p.end == static_cast<int64_t>(p.seq->tokens.size())) ++n_outputs;
  }
  const models::ForwardShape shape{.n_tokens = n_tokens, .n_outputs = n_outputs,
                                   .n_seqs = static_cast<int64_t>(pieces.size()),
                                   .max_blocks = max_blocks_};
  const models::ForwardGraph& fg = GraphFor(shape);
  executor_.Prepare(fg.graph, max_blocks_ * o_.block_size);
  int32_t* ids = executor_.InputI32(fg.graph, fg.tokens);
  int32_t* pos = executor_.InputI32(fg.graph, fg.kv.positions);
  int32_t* slots = executor_.InputI32(fg.graph, fg.kv.slots);
  int32_t* seq_ids = executor_.InputI32(fg.graph, fg.kv.seq_ids);
  int32_t* table = executor_.InputI32(fg.graph, fg.kv.block_table);
  int32_t* rows = executor_.InputI32(fg.graph, fg.out_rows);
  int64_t row = 0, out = 0;
  std::vector<Sequence*> samplers;
  for (size_t si = 0; si < pieces.size(); ++si) {
    Sequence& s = *pieces[si].seq;
    // Blocks for every position this step writes.
    while (static_cast<int64_t>(s.blocks.size()) * o_.block_size < pieces[si].end) {
      std::optional<int32_t> b = blocks_.Allocate();
      if (!b) return Internal("KV block reservation was exceeded");
      s.blocks.push_back(*b);
      --outstanding_;
    }
    int32_t* trow = table + si * max_blocks_;
    std::fill(trow, trow + max_blocks_, 0);
    std::copy(s.blocks.begin(), s.blocks.end(), trow);
    for (int64_t p = pieces[si].begin; p < pieces[si].end; ++p, ++row) {
      ids[row] = s.tokens[p];
      pos[row] = static_cast<int32_t>(p);
      slots[row] = s.blocks[p / o_.block_size] * static_cast<int32_t>(o_.block_size) +
                   static_cast<int32_t>(p % o_.block_size);
      seq_ids[row] = static_cast<int32_t>(si);
    }
    s.n_computed = pieces[si].end;
    if (pieces[si].end == static_cast<int64_t>(s.tokens.size())) {
      rows[out++] = static_cast<int32_t>(row - 1);
      samplers.push_back(&s);
    }
  }
  if (o_.on_step) {
    const auto n = [](int64_t k) { return static_cast<size_t>(k); };
    MT_RETURN_IF_ERROR(o_.on_step(StepInputs{
        &o_, shape, {ids, n(n_tokens)}, {pos, n(n_tokens)}, {slots, n(n_tokens)},
        {seq_ids, n(n_tokens)}, {table, n(shape.n_seqs * max_blocks_)}, {rows, n(n_outputs)}}));
  }
  executor_.Run(fg.graph, &kv_);
  const float* logits = executor_.Output(fg.graph, fg.logits);
  const int64_t n_vocab = model_.info().n_vocab;
  MT_RETURN_IF_ERROR(CheckLogitsFinite(
      model_, std::span<const float>(logits, static_cast<size_t>(n_outputs * n_vocab))));
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.steps++;
    for (const Piece& p : pieces) {
      stats_.prompt_tokens += std::max<int64_t>(0, std::min(p.end, p.seq->n_prompt) - p.begin);
    }
  }
  for (size_t i = 0; i < samplers.size(); ++i) {
    Sequence& s = *samplers[i];
    const float* row_logits = logits + static_cast<int64_t>(i) * n_vocab;
    std::span<const float> row(row_logits, n_vocab);
    if (s.req.constraint) {
      masked_.assign(row_logits, row_logits + n_vocab);
      int64_t left = o_.n_ctx - static_cast<int64_t>(s.tokens.size());
      if (s.req.max_tokens >= 0) left = std::min<int64_t>(left, s.req.max_tokens - s.n_generated);
      s.req.constraint->Mask(masked_, left);
      row = masked_;
    }
    const int32_t tok = s.sampler->Sample(row, s.tokens, static_cast<size_t>(s.n_prompt));
    if (s.req.constraint) s.req.constraint->Accept(tok);
    EmitToken(s, tok, row_logits);
  }
  if (o_.prefix_cache) {
    for (auto& s : running_) {
      if (s->cb) RegisterFullBlocks(*s);
    }
  }
  return Status::Ok();
}

void Engine::Impl::EmitToken(Sequence& s, int32_t tok, const float* logits) {
  const auto& vocab = model_.tokenizer();
  GenerationEvent ev;
  if (!s.req.ignore_eos && vocab.IsEndOfGeneration(tok)) {
    ev.text = s.stop->Push(s.decoder->Flush());
    ev.text += s.stop->Flush();
    if (!ev.text.empty()) s.cb(ev);
    Finish(s, FinishReason::kStop);
    return;
  }
  s.tokens.push_back(tok);
  s.n_generated++;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.generated_tokens++;
  }
  ev.token = tok;
  if (s.req.top_logprobs >= 0) {
    const int64_t n = model_.info().n_vocab;
    float mx = logits[0];
    for (int64_t i = 1; i < n; ++i) mx = std::max(mx, logits[i]);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(logits[i] - mx));
    const float lse = mx + static_cast<float>(std::log(sum));
    ev.logprob = logits[tok] - lse;
    if (s.req.top_logprobs > 0) {
      std::vector<int32_t> idx(n);
      for (int64_t i = 0; i < n; ++i) idx[i] = static_cast<int32_t>(i);
      const int64_t k = std::min<int64_t>(s.req.top_logprobs, n);
      std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                        [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
      for (int64_t i = 0; i < k; ++i) ev.top.push_back({idx[i], logits[idx[i]] - lse});
    }
  }
  ev.text = s.stop->Push(s.decoder->Push(tok));
  const bool stopped = s.stop->stopped();
  const bool length = (s.req.max_tokens >= 0 && s.n_generated >= s.req.max_tokens) ||
                      static_cast<int64_t>(s.tokens.size()) >= o_.n_ctx;
  if (!stopped && length) {
    ev.text += s.stop->Push(s.decoder->Flush());
    ev.text += s.stop->Flush();
  }
  ev.prompt_tokens = s.n_prompt;
  ev.completion_tokens = s.n_generated;
  s.cb(ev);
  if (stopped) {
    Finish(s, FinishReason::kStop);
  } else if (length) {
    Finish(s, FinishReason::kLength);
  }
}

void Engine::Impl::RegisterFullBlocks(Sequence& s) {
  const int64_t full = s.n_computed / o_.block_size;
  for (int64_t i = s.n_registered; i < full; ++i) blocks_.Register(s.tokens, i, s.blocks[i]);
  s.n_registered = std::max(s.n_registered, full);
}

void Engine::Impl::ReleaseBlocks(Sequence& s) {
  if (o_.prefix_cache) RegisterFullBlocks(s);
  for (int32_t b : s.blocks) blocks_.Release(b);
  outstanding_ -= s.reserve - static_cast<int64_t>(s.blocks.size());
  s.blocks.clear();
  s.reserve = 0;
}

void Engine::Impl::Finish(Sequence& s, FinishReason reason, const std::string& error) {
  if (!s.cb) return;
  ReleaseBlocks(s);
  GenerationEvent ev;
  ev.finished = true;
  ev.reason = reason;
  ev.error = error;
  ev.prompt_tokens = static_cast<int64_t>(s.req.prompt.size());
  ev.completion_tokens = s.n_generated;
  ev.cached_tokens = s.cached_tokens;
  EventCallback cb = std::move(s.cb);
  s.cb = nullptr;
  cb(ev);
}

void Engine::Impl::PublishStats() {
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.running = static_cast<int64_t>(running_.size());
  stats_.waiting = static_cast<int64_t>(waiting_.size());
  stats_.kv_blocks_used = blocks_.used();
  stats_.kv_blocks_total = blocks_.n_blocks();
  stats_.prefix_hit_tokens = blocks_.prefix_hits() * o_.block_size;
}

Result<std::unique_ptr<Engine>> Engine::Create(const models::Model& model,
                                               const EngineOptions& options) {
  if (model.info().is_encoder) {
    return InvalidArgument(model.info().path + ": an encoder model cannot generate text");
  }
  EngineOptions o = options;
  const models::Shard& shard = model.info().shard;
  if (shard.pp_size > 1) {
    return Unimplemented("the engine (serving) runs tensor parallelism only, not --pp");
  }
  if (shard.tp_size > 1 && o.comm == nullptr) {
    return InvalidArgument("a tensor-parallel model shard needs a communicator");
  }
  if (o.kv_type != DType::kF32 && o.kv_type != DType::kF16) {
    return InvalidArgument("KV-cache type must be f32 or f16");
  }
  if (o.n_ctx <= 0) o.n_ctx = std::min<int64_t>(model.info().n_ctx_train, 4096);
  if (o.max_seqs < 1 || o.max_seqs > 1024) return InvalidArgument("parallel sequences must be 1..1024");
  if (o.block_size < 1 || o.block_size > 1024) return InvalidArgument("block size must be 1..1024");
  if (o.step_tokens < o.max_seqs) o.step_tokens = o.max_seqs;
  if (o.kv_blocks <= 0) o.kv_blocks = o.max_seqs * ((o.n_ctx + o.block_size - 1) / o.block_size);
  auto e = std::unique_ptr<Engine>(new Engine());
  e->options_ = o;
  e->impl_ = std::make_unique<Impl>(model, o);
  return e;
}

Engine::~Engine() = default;

Result<uint64_t> Engine::Submit(GenerationRequest request, EventCallback on_event) {
  return impl_->Submit(std::move(request), std::move(on_event));
}

void Engine::Cancel(uint64_t id) { impl_->Cancel(id); }

void Engine::Shutdown(bool finish_running) { impl_->Shutdown(finish_running); }

EngineStats Engine::stats() const { return impl_->stats(); }

}  // namespace miaotui::runtime
