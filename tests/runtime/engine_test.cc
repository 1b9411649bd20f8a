// The continuous-batching engine: many concurrent requests give exactly what one sequence alone
// gives; chunked prefill; prefix caching; cancellation; admission limits; shutdown.
#include "runtime/engine.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

#include "models/model.h"
#include "runtime/generator.h"
#include "test_util.h"

namespace miaotui::runtime {
namespace {

using miaotui::testing::SharedPath;

std::unique_ptr<models::Model> Stories() {
  auto m = models::LoadModel(SharedPath("models/stories260K.gguf"));
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? std::move(*m) : nullptr;
}

// Collects one request's events; Wait() returns when the final event arrived.
struct Collector {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int32_t> tokens;
  std::string text;
  GenerationEvent final_event;
  bool done = false;
  int events = 0;

  EventCallback Callback() {
    return [this](const GenerationEvent& ev) {
      std::lock_guard<std::mutex> lock(mu);
      ++events;
      if (ev.token >= 0) tokens.push_back(ev.token);
      text += ev.text;
      if (ev.finished) {
        final_event = ev;
        done = true;
        cv.notify_all();
      }
    };
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  }
};

std::vector<int32_t> GreedyAlone(const models::Model& m, const std::vector<int32_t>& prompt, int n) {
  SessionOptions so;
  so.n_threads = 1;
  so.kv_type = DType::kF32;
  so.n_ctx = 256;
  auto s = Session::Create(m, so);
  GenerateOptions go;
  go.n_predict = n;
  go.ignore_eos = true;
  go.sampling.temperature = 0;
  auto r = Generate(**s, prompt, go, nullptr);
  EXPECT_TRUE(r.ok());
  return r->tokens;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MT_REQUIRE_SHARED("models/stories260K.gguf");
    model_ = Stories();
    ASSERT_TRUE(model_);
  }
  GenerationRequest Greedy(const std::string& text, int n) {
    GenerationRequest r;
    r.prompt = model_->tokenizer().Encode(text, true);
    r.sampling.temperature = 0;
    r.max_tokens = n;
    r.ignore_eos = true;
    return r;
  }
  std::unique_ptr<models::Model> model_;
};

TEST_F(EngineTest, ConcurrentRequestsMatchSingleSequenceGreedy) {
  EngineOptions o;
  o.n_threads = 2;
  o.n_ctx = 256;
  o.max_seqs = 4;
  o.step_tokens = 7;  // forces prompts to be prefilled in chunks, interleaved with decoding
  o.kv_type = DType::kF32;
  auto engine = Engine::Create(*model_, o);
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  const std::vector<std::string> prompts = {
      "Once upon a time", "The little dog", "Lily and Tom went to the park",
      "One day, 3 cats found 12 red balls!", "Tim had a big red ball. He liked to play", " "};
  std::vector<std::unique_ptr<Collector>> got;
  for (const auto& p : prompts) {
    got.push_back(std::make_unique<Collector>());
    ASSERT_TRUE((*engine)->Submit(Greedy(p, 24), got.back()->Callback()).ok());
  }
  for (size_t i = 0; i < prompts.size(); ++i) {
    got[i]->Wait();
    EXPECT_EQ(got[i]->final_event.reason, FinishReason::kLength);
    std::vector<int32_t> want =
        GreedyAlone(*model_, model_->tokenizer().Encode(prompts[i], true), 24);
    EXPECT_EQ(got[i]->tokens, want) << "prompt " << i;
    EXPECT_EQ(got[i]->final_event.completion_tokens, 24);
  }
  EngineStats st = (*engine)->stats();
  EXPECT_EQ(st.generated_tokens, 24 * static_cast<int64_t>(prompts.size()));
}

TEST_F(EngineTest, PrefixCacheReusesBlocksAndKeepsResults) {
  EngineOptions o;
  o.n_threads = 1;
  o.n_ctx = 256;
  o.max_seqs = 2;
  o.block_size = 4;
  o.kv_type = DType::kF32;
  auto engine = Engine::Create(*model_, o);
  const std::string prompt = "Lily and Tom went to the park. They saw a big tree and a small bird.";
  Collector a, b;
  ASSERT_TRUE((*engine)->Submit(Greedy(prompt, 12), a.Callback()).ok());
  a.Wait();
  ASSERT_TRUE((*engine)->Submit(Greedy(prompt, 12), b.Callback()).ok());
  b.Wait();
  EXPECT_EQ(a.final_event.cached_tokens, 0);
  EXPECT_GT(b.final_event.cached_tokens, 8);
  EXPECT_EQ(a.tokens, b.tokens);
  EXPECT_GT((*engine)->stats().prefix_hit_tokens, 0);
}

TEST_F(EngineTest, CancelStopsAndFreesBlocks) {
  EngineOptions o;
  o.n_threads = 1;
  o.n_ctx = 512;
  o.max_seqs = 2;
  o.prefix_cache = false;
  auto engine = Engine::Create(*model_, o);
  Collector c;
  std::promise<void> first;
  bool signalled = false;
  auto inner = c.Callback();
  auto r = (*engine)->Submit(Greedy("Once upon a time", 400), [&](const GenerationEvent& ev) {
    inner(ev);
    if (!signalled) {
      signalled = true;
      first.set_value();
    }
  });
  ASSERT_TRUE(r.ok());
  first.get_future().wait();
  (*engine)->Cancel(*r);
  c.Wait();
  EXPECT_EQ(c.final_event.reason, FinishReason::kCancelled);
  EXPECT_LT(c.tokens.size(), 400u);
  (*engine)->Shutdown(true);
  EXPECT_EQ((*engine)->stats().kv_blocks_used, 0);
}

TEST_F(EngineTest, QueueLimitAndOverlongPromptAreRefused) {
  EngineOptions o;
  o.n_threads = 1;
  o.n_ctx = 64;
  o.max_seqs = 1;
  o.max_queue = 2;
  auto engine = Engine::Create(*model_, o);
  std::vector<std::unique_ptr<Collector>> cs;
  int refused = 0;
  for (int i = 0; i < 8; ++i) {
    cs.push_back(std::make_unique<Collector>());
    auto r = (*engine)->Submit(Greedy("Once upon a time", 50), cs.back()->Callback());
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
      ++refused;
      cs.back()->done = true;
    }
  }
  EXPECT_GT(refused, 0);
  GenerationRequest big = Greedy(std::string(400, 'a'), 4);
  auto r = (*engine)->Submit(big, [](const GenerationEvent&) {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("context"), std::string::npos);
  (*engine)->Shutdown(true);
  for (auto& c : cs) {
    if (!c->done) c->Wait();
  }
}

TEST_F(EngineTest, StopStringsEndGenerationAndAreNotShown) {
  EngineOptions o;
  o.n_threads = 1;
  o.n_ctx = 256;
  auto engine = Engine::Create(*model_, o);
  Collector plain, stopped;
  ASSERT_TRUE((*engine)->Submit(Greedy("Once upon a time", 40), plain.Callback()).ok());
  plain.Wait();
  ASSERT_GT(plain.text.size(), 20u);
  // Stop at a word that the plain continuation contains.
  const std::string word = "named";
  ASSERT_NE(plain.text.find(word), std::string::npos) << plain.text;
  GenerationRequest r = Greedy("Once upon a time", 40);
  r.stop = {word};
  ASSERT_TRUE((*engine)->Submit(r, stopped.Callback()).ok());
  stopped.Wait();
  EXPECT_EQ(stopped.final_event.reason, FinishReason::kStop);
  EXPECT_EQ(stopped.text, plain.text.substr(0, plain.text.find(word)));
}

TEST_F(EngineTest, ShutdownCancelsEverything) {
  EngineOptions o;
  o.n_threads = 1;
  o.max_seqs = 1;
  auto engine = Engine::Create(*model_, o);
  std::vector<std::unique_ptr<Collector>> cs;
  for (int i = 0; i < 3; ++i) {
    cs.push_back(std::make_unique<Collector>());
    ASSERT_TRUE((*engine)->Submit(Greedy("Once upon a time", 300), cs.back()->Callback()).ok());
  }
  (*engine)->Shutdown(false);
  for (auto& c : cs) {
    c->Wait();
    EXPECT_TRUE(c->final_event.reason == FinishReason::kCancelled ||
                c->final_event.reason == FinishReason::kLength);
  }
  auto r = (*engine)->Submit(Greedy("x", 1), [](const GenerationEvent&) {});
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace miaotui::runtime
