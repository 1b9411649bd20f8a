// Stress (label "slow"): 2000 requests, 32 at a time, mixing valid, malformed, cancelled
// mid-stream and over-long ones. The server stays up, every answer is well-formed, and resident
// memory ends within 10% of where it stood after a warm-up round.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

#include "server_fixture.h"

namespace miaotui::server::testing {
namespace {

using nlohmann::json;

double RssMiB() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return static_cast<double>(resident) * sysconf(_SC_PAGESIZE) / (1 << 20);
}

// One request of kind i % 4; empty when the answer is what that kind must get, else what came
// (status 0: no answer at all - refused or reset connection, timeout).
std::string OneRequest(httplib::Client& c, int i, const std::string& longp) {
  auto describe = [](int status, const std::string& body) {
    return "status " + std::to_string(status) + " body " + body.substr(0, 200);
  };
  switch (i % 4) {
    case 0: {
      HttpReply r = Post(c, "/v1/completions",
                         json({{"prompt", "Once upon a time"}, {"max_tokens", 12}}).dump());
      const bool ok =
          r.status == 200 && r.json.is_object() && r.json["choices"][0]["text"].is_string();
      return ok ? "" : describe(r.status, r.body);
    }
    case 1: {
      HttpReply r = Post(c, "/v1/chat/completions", "{\"messages\": [{\"role\": ");
      const bool ok =
          r.status == 400 && r.json.is_object() && r.json["error"]["message"].is_string();
      return ok ? "" : describe(r.status, r.body);
    }
    case 2: {
      SseReply s = PostStream(c, "/v1/completions",
                              json({{"prompt", "The little dog"}, {"max_tokens", 200},
                                    {"stream", true}}).dump(),
                              [](const SseReply& r) { return r.events.size() < 2; });
      const bool ok = s.well_formed && (s.events.size() >= 2 || s.done);
      return ok ? "" : describe(s.status, s.raw);
    }
    default: {
      HttpReply r = Post(c, "/v1/completions", json({{"prompt", longp}}).dump());
      const bool ok = r.status == 400 && r.json["error"]["code"] == "context_length_exceeded";
      return ok ? "" : describe(r.status, r.body);
    }
  }
}

TEST(ServerStressTest, TwoThousandMixedRequests) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  ServerOptions o;
  o.engine.max_seqs = 8;
  o.engine.n_ctx = 256;
  o.engine.max_queue = 256;
  o.http_threads = 64;  // every worker thread (and its malloc arena) gets used in the warm-up
  TestServer srv(o);
  ASSERT_TRUE(srv.ok());
  std::string longp;
  for (int i = 0; i < 200; ++i) longp += "Once upon a time ";

  auto round = [&](int total, int clients) {
    std::atomic<int> next{0}, bad{0};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(8);
    std::vector<std::thread> ts;
    for (int t = 0; t < clients; ++t) {
      ts.emplace_back([&] {
        auto c = srv.Client();
        for (int i = next++; i < total && std::chrono::steady_clock::now() < deadline;
             i = next++) {
          if (std::string why = OneRequest(*c, i, longp); !why.empty()) {
            bad++;
            std::printf("request %d (kind %d) was not answered as expected: %s\n", i, i % 4,
                        why.c_str());
          }
        }
      });
    }
    for (auto& t : ts) t.join();
    return bad.load();
  };
  EXPECT_EQ(round(400, 32), 0);  // warm-up: graphs, thread stacks, allocator pools
  const double start = RssMiB();
  EXPECT_EQ(round(2000, 32), 0);
  // Cancelled streams drain; then the server is idle and still answers.
  double used = -1;
  auto c = srv.Client();
  for (int i = 0; i < 100 && used != 0; ++i) {
    used = Metric(Get(*c, "/metrics").body, "miaotui_kv_blocks_used");
    if (used != 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(used, 0);
  EXPECT_EQ(Get(*c, "/health").status, 200);
  const double end = RssMiB();
  std::printf("RSS after warm-up %.1f MiB, after 2000 requests %.1f MiB\n", start, end);
  EXPECT_LE(end, start * 1.10);
}

}  // namespace
}  // namespace miaotui::server::testing
