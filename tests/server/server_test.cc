// miaotui serve end to end on loopback with stories260K: every endpoint, streaming (SSE parsed),
// stop strings, seeds, logprobs, JSON mode, and every error the server promises (400 naming the
// field, 401, 404, 429 with Retry-After, over-long prompt), plus a client that hangs up
// mid-stream (its KV blocks come back, seen through /metrics) and the /metrics format.
#include <gtest/gtest.h>

#include <bit>
#include <future>
#include <regex>
#include <sstream>

#include "server_fixture.h"

namespace miaotui::server::testing {
namespace {

using nlohmann::json;

ServerOptions Options() {
  ServerOptions o;
  o.chat_template = kChatMl;
  o.engine.max_seqs = 4;
  o.engine.n_ctx = 256;
  return o;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MT_REQUIRE_SHARED("models/stories260K.gguf");
    srv_ = std::make_unique<TestServer>(Options());
    ASSERT_TRUE(srv_->ok());
    cli_ = srv_->Client();
  }
  json Completion(json body) {
    HttpReply r = Post(*cli_, "/v1/completions", body.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json;
  }
  std::unique_ptr<TestServer> srv_;
  std::unique_ptr<httplib::Client> cli_;
};

TEST_F(ServerTest, HealthModelsAndWebPage) {
  HttpReply h = Get(*cli_, "/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.json["status"], "ok");
  HttpReply m = Get(*cli_, "/v1/models");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.json["object"], "list");
  EXPECT_EQ(m.json["data"][0]["id"], "stories260K.gguf");
  HttpReply page = Get(*cli_, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<title>miaotui chat</title>"), std::string::npos);
  EXPECT_EQ(Get(*cli_, "/app.js").status, 200);
  EXPECT_EQ(Get(*cli_, "/style.css").status, 200);
}

TEST_F(ServerTest, CompletionGreedyAndSeedDeterminism) {
  json greedy = Completion({{"prompt", "Once upon a time"}, {"max_tokens", 16}, {"temperature", 0}});
  ASSERT_EQ(greedy["object"], "text_completion");
  const std::string text = greedy["choices"][0]["text"];
  EXPECT_GT(text.size(), 10u);
  EXPECT_EQ(greedy["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(greedy["usage"]["completion_tokens"], 16);
  EXPECT_EQ(greedy["usage"]["total_tokens"],
            greedy["usage"]["prompt_tokens"].get<int>() + 16);
  // Token-array prompts give the same as the text.
  HttpReply tok = Post(*cli_, "/tokenize", R"({"content": "Once upon a time", "add_special": true})");
  ASSERT_EQ(tok.status, 200);
  json by_ids = Completion({{"prompt", tok.json["tokens"]}, {"max_tokens", 16}, {"temperature", 0}});
  EXPECT_EQ(by_ids["choices"][0]["text"], text);
  // Same seed, same sample; another seed differs (over 3 tries at temperature 1.5).
  json a = Completion({{"prompt", "The dog"}, {"max_tokens", 24}, {"temperature", 1.5}, {"seed", 7}});
  json b = Completion({{"prompt", "The dog"}, {"max_tokens", 24}, {"temperature", 1.5}, {"seed", 7}});
  EXPECT_EQ(a["choices"][0]["text"], b["choices"][0]["text"]);
  bool differs = false;
  for (int s = 8; s < 11 && !differs; ++s) {
    json c = Completion({{"prompt", "The dog"}, {"max_tokens", 24}, {"temperature", 1.5}, {"seed", s}});
    differs = c["choices"][0]["text"] != a["choices"][0]["text"];
  }
  EXPECT_TRUE(differs);
}

TEST_F(ServerTest, ChatWholeAndStreamedAgree) {
  const json msgs = json::array({{{"role", "system"}, {"content", "Be brief."}},
                                 {{"role", "user"}, {"content", "Tell me a story."}}});
  HttpReply whole = Post(*cli_, "/v1/chat/completions",
                         json({{"messages", msgs}, {"max_tokens", 20}, {"temperature", 0}}).dump());
  ASSERT_EQ(whole.status, 200) << whole.body;
  EXPECT_EQ(whole.json["object"], "chat.completion");
  EXPECT_EQ(whole.json["choices"][0]["message"]["role"], "assistant");
  const std::string text = whole.json["choices"][0]["message"]["content"];

  SseReply s = PostStream(*cli_, "/v1/chat/completions",
                          json({{"messages", msgs}, {"max_tokens", 20}, {"temperature", 0},
                                {"stream", true}, {"stream_options", {{"include_usage", true}}}})
                              .dump());
  ASSERT_EQ(s.status, 200);
  EXPECT_TRUE(s.done);
  EXPECT_TRUE(s.well_formed);
  ASSERT_GE(s.events.size(), 3u);
  EXPECT_EQ(s.events[0]["choices"][0]["delta"]["role"], "assistant");
  std::string streamed;
  std::string finish;
  for (const json& e : s.events) {
    EXPECT_EQ(e["object"], "chat.completion.chunk");
    EXPECT_EQ(e["id"], s.events[0]["id"]);
    if (e["choices"].empty()) continue;
    const json& d = e["choices"][0]["delta"];
    if (d.contains("content")) streamed += d["content"].get<std::string>();
    if (!e["choices"][0]["finish_reason"].is_null()) finish = e["choices"][0]["finish_reason"];
  }
  EXPECT_EQ(streamed, text);
  EXPECT_FALSE(finish.empty());
  // The last event carries usage and no choices.
  EXPECT_TRUE(s.events.back()["choices"].empty());
  EXPECT_EQ(s.events.back()["usage"]["completion_tokens"],
            whole.json["usage"]["completion_tokens"]);
}

TEST_F(ServerTest, CompletionStreamAndStopStrings) {
  json plain = Completion({{"prompt", "Once upon a time"}, {"max_tokens", 40}, {"temperature", 0}});
  const std::string text = plain["choices"][0]["text"];
  const size_t at = text.find("named");
  ASSERT_NE(at, std::string::npos) << text;
  json stopped = Completion({{"prompt", "Once upon a time"}, {"max_tokens", 40},
                             {"temperature", 0}, {"stop", "named"}});
  EXPECT_EQ(stopped["choices"][0]["text"], text.substr(0, at));
  EXPECT_EQ(stopped["choices"][0]["finish_reason"], "stop");
  json arr = Completion({{"prompt", "Once upon a time"}, {"max_tokens", 40},
                         {"temperature", 0}, {"stop", {"zzz", "named"}}});
  EXPECT_EQ(arr["choices"][0]["text"], text.substr(0, at));

  SseReply s = PostStream(*cli_, "/v1/completions",
                          json({{"prompt", "Once upon a time"}, {"max_tokens", 40},
                                {"temperature", 0}, {"stream", true}, {"stop", "named"}})
                              .dump());
  ASSERT_EQ(s.status, 200);
  EXPECT_TRUE(s.done);
  std::string streamed;
  for (const json& e : s.events) {
    EXPECT_EQ(e["object"], "text_completion");
    streamed += e["choices"][0]["text"].get<std::string>();
  }
  EXPECT_EQ(streamed, text.substr(0, at));
  EXPECT_EQ(s.events.back()["choices"][0]["finish_reason"], "stop");
}

TEST_F(ServerTest, Logprobs) {
  HttpReply r = Post(*cli_, "/v1/chat/completions",
                     json({{"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                           {"max_tokens", 6}, {"temperature", 0}, {"logprobs", true},
                           {"top_logprobs", 3}})
                         .dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const json& content = r.json["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(content.size(), r.json["usage"]["completion_tokens"].get<size_t>());
  for (const json& t : content) {
    EXPECT_LE(t["logprob"].get<double>(), 0.0);
    ASSERT_EQ(t["top_logprobs"].size(), 3u);
    // Greedy: the chosen token is the most likely one.
    EXPECT_NEAR(t["logprob"].get<double>(), t["top_logprobs"][0]["logprob"].get<double>(), 1e-5);
    EXPECT_TRUE(t["bytes"].is_array());
  }
  json c = Completion({{"prompt", "Once"}, {"max_tokens", 4}, {"temperature", 0}, {"logprobs", 2}});
  EXPECT_EQ(c["choices"][0]["logprobs"]["tokens"].size(), 4u);
  EXPECT_EQ(c["choices"][0]["logprobs"]["top_logprobs"][0].size(), 2u);
}

TEST_F(ServerTest, JsonObjectOutputParses) {
  for (int seed = 1; seed <= 4; ++seed) {
    json c = Completion({{"prompt", "Once upon a time"}, {"max_tokens", 48}, {"temperature", 1.0},
                         {"seed", seed}, {"response_format", {{"type", "json_object"}}}});
    const std::string text = c["choices"][0]["text"];
    json parsed = json::parse(text, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << "seed " << seed << ": " << text;
    EXPECT_TRUE(parsed.is_object()) << text;
  }
  HttpReply chat = Post(*cli_, "/v1/chat/completions",
                        json({{"messages", {{{"role", "user"}, {"content", "JSON please"}}}},
                              {"max_tokens", 30}, {"seed", 3},
                              {"response_format", {{"type", "json_object"}}}})
                            .dump());
  ASSERT_EQ(chat.status, 200);
  EXPECT_TRUE(json::parse(chat.json["choices"][0]["message"]["content"].get<std::string>(),
                          nullptr, false)
                  .is_object());
}

// 400 with an OpenAI error object naming `param`.
void ExpectBadField(httplib::Client& c, const std::string& path, const std::string& body,
                    const std::string& param) {
  HttpReply r = Post(c, path, body);
  EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
  ASSERT_TRUE(r.json.is_object()) << r.body;
  EXPECT_EQ(r.json["error"]["type"], "invalid_request_error") << r.body;
  EXPECT_TRUE(r.json["error"]["message"].is_string());
  if (param.empty()) {
    EXPECT_TRUE(r.json["error"]["param"].is_null()) << r.body;
  } else {
    EXPECT_EQ(r.json["error"]["param"], param) << body << " -> " << r.body;
  }
}

TEST_F(ServerTest, BadRequestsNameTheField) {
  const std::string chat = "/v1/chat/completions", cmpl = "/v1/completions";
  const std::string msgs = R"("messages": [{"role": "user", "content": "hi"}])";
  ExpectBadField(*cli_, chat, "{not json", "");
  ExpectBadField(*cli_, chat, "[1, 2]", "");
  ExpectBadField(*cli_, chat, "{}", "messages");
  ExpectBadField(*cli_, chat, R"({"messages": "hi"})", "messages");
  ExpectBadField(*cli_, chat, R"({"messages": []})", "messages");
  ExpectBadField(*cli_, chat, R"({"messages": [{"role": "user", "content": 5}]})",
                 "messages[0].content");
  ExpectBadField(*cli_, chat, R"({"messages": [{"role": "king", "content": "x"}]})",
                 "messages[0].role");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "temperature": "hot"})", "temperature");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "temperature": 9})", "temperature");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "max_tokens": 1.5})", "max_tokens");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "max_tokens": 100000000})", "max_tokens");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "max_completion_tokens": 0})",
                 "max_completion_tokens");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "n": 2})", "n");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "stop": 3})", "stop");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "stop": ["a", 3]})", "stop[1]");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "stream": "yes"})", "stream");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "seed": "x"})", "seed");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "presence_penalty": 3})", "presence_penalty");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "top_logprobs": 2})", "top_logprobs");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "response_format": {"type": "yaml"}})",
                 "response_format.type");
  ExpectBadField(*cli_, chat, "{" + msgs + R"(, "stream_options": {"include_usage": 1}})",
                 "stream_options.include_usage");
  ExpectBadField(*cli_, cmpl, R"({"prompt": 5})", "prompt");
  ExpectBadField(*cli_, cmpl, R"({"prompt": [1, "a"]})", "prompt");
  ExpectBadField(*cli_, cmpl, R"({"prompt": [1, -4]})", "prompt[1]");
  ExpectBadField(*cli_, cmpl, R"({"prompt": [1, 99999]})", "prompt");  // outside the vocabulary
  ExpectBadField(*cli_, cmpl, R"({"prompt": "x", "logprobs": true})", "logprobs");
  ExpectBadField(*cli_, "/v1/embeddings", R"({"input": 5})", "input");  // decoders embed too
  ExpectBadField(*cli_, "/tokenize", R"({"content": 1})", "content");
  ExpectBadField(*cli_, "/detokenize", R"({"tokens": [1, 1000000]})", "tokens[1]");
  // Too many stop strings / messages are bounded.
  json many = json::array();
  for (int i = 0; i < 100; ++i) many.push_back("s" + std::to_string(i));
  ExpectBadField(*cli_, cmpl, json({{"prompt", "x"}, {"stop", many}}).dump(), "stop");
}

TEST_F(ServerTest, OverlongPromptUnknownRouteAndBodyLimit) {
  std::string longp;
  for (int i = 0; i < 300; ++i) longp += "Once upon a time ";
  HttpReply r = Post(*cli_, "/v1/completions", json({{"prompt", longp}}).dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json["error"]["code"], "context_length_exceeded") << r.body;
  EXPECT_EQ(r.json["error"]["param"], "prompt");
  HttpReply c = Post(*cli_, "/v1/chat/completions",
                     json({{"messages", {{{"role", "user"}, {"content", longp}}}}}).dump());
  EXPECT_EQ(c.status, 400);
  EXPECT_EQ(c.json["error"]["param"], "messages");
  HttpReply nf = Get(*cli_, "/v2/nothing");
  EXPECT_EQ(nf.status, 404);
  EXPECT_TRUE(nf.json["error"]["message"].is_string());
  HttpReply huge = Post(*cli_, "/v1/completions", std::string(5 << 20, ' '));
  EXPECT_EQ(huge.status, 413);
}

TEST_F(ServerTest, TokenizeDetokenizeRoundTrip) {
  HttpReply t = Post(*cli_, "/tokenize", R"({"content": "Lily and Tom", "with_pieces": true})");
  ASSERT_EQ(t.status, 200);
  json ids = json::array();
  for (const json& p : t.json["tokens"]) ids.push_back(p["id"]);
  HttpReply d = Post(*cli_, "/detokenize", json({{"tokens", ids}}).dump());
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(d.json["content"], " Lily and Tom");  // the SentencePiece dummy-prefix space stays
}

TEST_F(ServerTest, DisconnectMidStreamFreesBlocks) {
  std::atomic<int> seen{0};
  SseReply s = PostStream(*cli_, "/v1/completions",
                          json({{"prompt", "Once upon a time"}, {"max_tokens", 200},
                                {"temperature", 0.8}, {"stream", true}})
                              .dump(),
                          [&](const SseReply& r) { return r.events.size() < 3; });
  EXPECT_GE(s.events.size(), 3u);
  EXPECT_FALSE(s.done);
  // The server notices at its next write, cancels, and the blocks come back.
  auto [running, used] = WaitUntilIdle(*cli_);
  EXPECT_EQ(running, 0);
  EXPECT_EQ(used, 0);
  HttpReply m = Get(*cli_, "/metrics");
  // 200 tokens would take far longer to leave than 3 chunks; fewer were generated.
  EXPECT_LT(Metric(m.body, "miaotui_generated_tokens_total"), 200);
}

// A client waiting for a whole (non-streaming) answer hangs up: the server notices within
// its 200 ms check, cancels the sequence and its KV blocks come back.
TEST(ServerDisconnectTest, NonStreamingClientGoneFreesBlocks) {
  MT_REQUIRE_SHARED("models/gpt2-test-f16.gguf");
  ServerOptions o;
  o.engine.max_seqs = 2;
  o.engine.n_ctx = 1024;
  TestServer srv(o, "models/gpt2-test-f16.gguf");
  ASSERT_TRUE(srv.ok());
  {
    auto c = srv.Client();
    c->set_read_timeout(0, 300 * 1000);  // gives up long before 1000 tokens are generated
    HttpReply r = Post(*c, "/v1/completions",
                       json({{"prompt", "Hello"}, {"max_tokens", 1000}, {"temperature", 0.8}})
                           .dump());
    EXPECT_EQ(r.status, 0) << r.body;
  }  // the client closes its connection
  auto m = srv.Client();
  auto [running, used] = WaitUntilIdle(*m);
  EXPECT_EQ(running, 0);
  EXPECT_EQ(used, 0);
  const double generated = Metric(Get(*m, "/metrics").body, "miaotui_generated_tokens_total");
  std::printf("generated before the cancel: %.0f of 1000\n", generated);
  EXPECT_LT(generated, 1000);
  EXPECT_EQ(Get(*m, "/health").status, 200);
}

TEST_F(ServerTest, MetricsAreWellFormedPrometheusText) {
  const std::string prompt =
      "Lily and Tom went to the park. They saw a big tree and a small bird in the tree.";
  Completion({{"prompt", prompt}, {"max_tokens", 4}});
  Completion({{"prompt", prompt}, {"max_tokens", 4}});  // a prefix-cache hit
  Post(*cli_, "/v1/completions", "{bad");
  // httplib counts a request (its logger) just after writing the answer, possibly on another
  // connection's thread than the one that reads /metrics: wait for the last count to land.
  HttpReply m;
  for (int i = 0; i < 100; ++i) {
    m = Get(*cli_, "/metrics");
    if (m.body.find(R"(endpoint="/v1/completions",status="200"} 2)") != std::string::npos &&
        m.body.find(R"(endpoint="/v1/completions",status="400"} 1)") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.headers.find("Content-Type")->second.find("text/plain"), std::string::npos);
  const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? )"
                          R"([-+0-9.eE]+(Inf)?$)");
  const std::regex meta(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  std::istringstream in(m.body);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    if (line.rfind("#", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, meta)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 20);
  EXPECT_NE(m.body.find(R"(miaotui_requests_total{endpoint="/v1/completions",status="200"} 2)"),
            std::string::npos) << m.body;
  EXPECT_NE(m.body.find(R"(miaotui_requests_total{endpoint="/v1/completions",status="400"} 1)"),
            std::string::npos);
  EXPECT_NE(m.body.find(R"(miaotui_time_to_first_token_seconds_bucket{le="+Inf"} 2)"),
            std::string::npos);
  EXPECT_NE(m.body.find("miaotui_inter_token_latency_seconds_count 6"), std::string::npos);
  EXPECT_EQ(Metric(m.body, "miaotui_generated_tokens_total"), 8);
  EXPECT_GT(Metric(m.body, "miaotui_prefix_cache_hit_tokens_total"), 0);
  EXPECT_GT(Metric(m.body, "miaotui_kv_blocks_total"), 0);
}

TEST(ServerAuthTest, ApiKeyIsRequiredExceptForHealth) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  ServerOptions o = Options();
  o.api_key = "sekrit-key";
  TestServer srv(o);
  ASSERT_TRUE(srv.ok());
  auto anon = srv.Client();
  HttpReply r = Post(*anon, "/v1/completions", R"({"prompt": "x", "max_tokens": 1})");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json["error"]["type"], "authentication_error");
  EXPECT_EQ(Get(*anon, "/v1/models").status, 401);
  EXPECT_EQ(Get(*anon, "/metrics").status, 401);
  EXPECT_EQ(Get(*anon, "/health").status, 200);
  auto wrong = srv.Client("sekrit-kez");
  EXPECT_EQ(Post(*wrong, "/v1/completions", R"({"prompt": "x", "max_tokens": 1})").status, 401);
  auto good = srv.Client("sekrit-key");
  EXPECT_EQ(Post(*good, "/v1/completions", R"({"prompt": "x", "max_tokens": 1})").status, 200);
}

TEST(ServerQueueTest, FullQueueAnswers429WithRetryAfter) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  ServerOptions o = Options();
  o.engine.max_seqs = 1;
  o.engine.max_queue = 1;
  o.engine.n_threads = 1;
  o.engine.n_ctx = 512;
  TestServer srv(o);
  ASSERT_TRUE(srv.ok());
  const std::string body =
      json({{"prompt", "Once upon a time"}, {"max_tokens", 400}, {"temperature", 1}}).dump();
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < 6; ++i) {
    replies.push_back(std::async(std::launch::async, [&] {
      auto c = srv.Client();
      return Post(*c, "/v1/completions", body);
    }));
  }
  int ok = 0, busy = 0;
  for (auto& f : replies) {
    HttpReply r = f.get();
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++busy;
      EXPECT_EQ(r.json["error"]["type"], "rate_limit_error");
      EXPECT_EQ(r.headers.count("Retry-After"), 1u);
    }
  }
  EXPECT_GE(ok, 1);
  EXPECT_GE(busy, 1);
  EXPECT_EQ(ok + busy, 6);
}

TEST(ServerShutdownTest, ShutdownFinishesRunningAndRefusesNew) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  TestServer srv(Options());
  ASSERT_TRUE(srv.ok());
  auto running = std::async(std::launch::async, [&] {
    auto c = srv.Client();
    return Post(*c, "/v1/completions", R"({"prompt": "Once", "max_tokens": 150})");
  });
  // Shut down once the request is in the engine (a request not yet read is a new one, which a
  // slow machine or ThreadSanitizer can make last long), or once it is already done.
  for (int i = 0; i < 2000; ++i) {
    const runtime::EngineStats st = srv.server().stats();
    if (st.running + st.waiting > 0 || st.generated_tokens > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto stopper = std::async(std::launch::async, [&] { srv.Stop(/*finish=*/true); });
  // While it shuts down, /health says so and a new request is refused: 503 while the listener
  // is open, no connection once it has closed - never an answer.
  auto c = srv.Client();
  HttpReply health;
  for (int i = 0; i < 2000; ++i) {
    health = Get(*c, "/health");
    if (health.status != 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  HttpReply fresh = Post(*c, "/v1/completions", R"({"prompt": "Once", "max_tokens": 4})");
  EXPECT_TRUE(fresh.status == 503 || fresh.status == 0) << fresh.status << " " << fresh.body;
  if (fresh.status == 503) {
    EXPECT_EQ(fresh.json["error"]["code"], "shutting_down");
  }
  EXPECT_TRUE(health.status == 503 || health.status == 0) << health.status;
  HttpReply r = running.get();
  stopper.get();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_GT(r.json["usage"]["completion_tokens"].get<int>(), 0) << r.body;
}

TEST(ServerEmbeddingsTest, BertServesEmbeddings) {
  MT_REQUIRE_SHARED("models/bert-test-f16.gguf");
  ServerOptions o;
  TestServer srv(o, "models/bert-test-f16.gguf");
  ASSERT_TRUE(srv.ok());
  auto c = srv.Client();
  HttpReply r = Post(*c, "/v1/embeddings", R"({"input": ["hello world", "good night"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["data"].size(), 2u);
  double norm = 0;
  for (const json& v : r.json["data"][0]["embedding"]) norm += v.get<double>() * v.get<double>();
  EXPECT_NEAR(norm, 1.0, 1e-3);
  EXPECT_GT(r.json["usage"]["prompt_tokens"].get<int>(), 4);
  HttpReply bad = Post(*c, "/v1/embeddings", R"({"input": 5})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json["error"]["param"], "input");
  HttpReply chat = Post(*c, "/v1/chat/completions",
                        R"({"messages": [{"role": "user", "content": "hi"}]})");
  EXPECT_EQ(chat.status, 400);
  EXPECT_EQ(chat.json["error"]["param"], "model");
}

// Decodes standard base64 (the test's own reading of what the server sent).
std::vector<float> FloatsFromBase64(const std::string& b64) {
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<unsigned char> bytes;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : b64) {
    if (ch == '=') break;
    acc = (acc << 6) | static_cast<uint32_t>(alphabet.find(ch));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<unsigned char>(acc >> bits));
    }
  }
  std::vector<float> out(bytes.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t u = 0;
    for (int b = 0; b < 4; ++b) u |= uint32_t{bytes[4 * i + b]} << (8 * b);  // little-endian
    out[i] = std::bit_cast<float>(u);
  }
  return out;
}

TEST(ServerEmbeddingsTest, Base64IsTheLittleEndianFloatsOfTheVector) {
  MT_REQUIRE_SHARED("models/bert-test-f16.gguf");
  TestServer srv(ServerOptions{}, "models/bert-test-f16.gguf");
  ASSERT_TRUE(srv.ok());
  auto c = srv.Client();
  HttpReply f = Post(*c, "/v1/embeddings", R"({"input": "good night moon"})");
  HttpReply b = Post(*c, "/v1/embeddings",
                     R"({"input": "good night moon", "encoding_format": "base64"})");
  ASSERT_EQ(f.status, 200) << f.body;
  ASSERT_EQ(b.status, 200) << b.body;
  ASSERT_TRUE(b.json["data"][0]["embedding"].is_string());
  const std::vector<float> decoded = FloatsFromBase64(b.json["data"][0]["embedding"]);
  const json& floats = f.json["data"][0]["embedding"];
  ASSERT_EQ(decoded.size(), floats.size());
  for (size_t i = 0; i < decoded.size(); ++i) EXPECT_EQ(decoded[i], floats[i].get<float>()) << i;
  HttpReply bad = Post(*c, "/v1/embeddings", R"({"input": "x", "encoding_format": "hex"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json["error"]["param"], "encoding_format");
}

// A decoder model embeds too: the last token's final hidden state, L2-normalized.
TEST(ServerEmbeddingsTest, DecoderModelEmbedsByLastToken) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  TestServer srv(Options());
  ASSERT_TRUE(srv.ok());
  auto c = srv.Client();
  HttpReply r = Post(*c, "/v1/embeddings",
                     R"({"input": ["Once upon a time", "The little dog ran", "Once upon a time"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["data"].size(), 3u);
  auto vec = [&](int i) { return r.json["data"][i]["embedding"].get<std::vector<float>>(); };
  const std::vector<float> a = vec(0), b = vec(1), a2 = vec(2);
  EXPECT_GT(a.size(), 8u);
  double norm = 0, dot = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    norm += static_cast<double>(a[i]) * a[i];
    dot += static_cast<double>(a[i]) * b[i];
  }
  EXPECT_NEAR(norm, 1.0, 1e-4);
  EXPECT_EQ(a, a2);           // the same input, the same vector (the session is reset)
  EXPECT_LT(dot, 0.9999);     // different inputs differ
  // A causal model's last position depends on every token: changing the first one changes it.
  HttpReply t1 = Post(*c, "/v1/embeddings", R"({"input": [1, 40, 50, 60]})");
  HttpReply t2 = Post(*c, "/v1/embeddings", R"({"input": [1, 41, 50, 60]})");
  ASSERT_EQ(t1.status, 200) << t1.body;
  EXPECT_NE(t1.json["data"][0]["embedding"], t2.json["data"][0]["embedding"]);
  EXPECT_GT(r.json["usage"]["prompt_tokens"].get<int>(), 8);
  std::string longp;
  for (int i = 0; i < 200; ++i) longp += "Once upon a time ";
  HttpReply over = Post(*c, "/v1/embeddings", json({{"input", longp}}).dump());
  EXPECT_EQ(over.status, 400);
  EXPECT_EQ(over.json["error"]["param"], "input");
}

}  // namespace
}  // namespace miaotui::server::testing
