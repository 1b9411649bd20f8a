// Helpers for the server tests: a Server on a free loopback port, run on its own thread; JSON
// POSTs; a streaming POST that parses server-sent events and can hang up early.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/model.h"
#include "server.h"
#include "test_util.h"

namespace miaotui::server::testing {

// A ChatML template, so stories260K (which has none) can chat.
inline const char* kChatMl =
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

class TestServer {
 public:
  // Loads `model` (a path under ../shared) and serves it on 127.0.0.1, any free port.
  explicit TestServer(ServerOptions o, const std::string& model = "models/stories260K.gguf") {
    o.host = "127.0.0.1";
    o.port = 0;
    if (o.engine.n_threads == 0) o.engine.n_threads = 2;
    if (o.engine.n_ctx == 0) o.engine.n_ctx = 256;
    auto m = models::LoadModel(miaotui::testing::SharedPath(model));
    EXPECT_TRUE(m.ok()) << m.status().message();
    if (!m.ok()) return;
    auto s = Server::Create(std::move(*m), o);
    EXPECT_TRUE(s.ok()) << s.status().message();
    if (!s.ok()) return;
    server_ = std::move(*s);
    Status b = server_->Bind();
    EXPECT_TRUE(b.ok()) << b.message();
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~TestServer() { Stop(false); }
  void Stop(bool finish) {
    if (server_ && thread_.joinable()) {
      server_->Shutdown(finish);
      thread_.join();
    }
  }
  bool ok() const { return server_ != nullptr; }
  int port() const { return server_->port(); }
  Server& server() { return *server_; }
  std::unique_ptr<httplib::Client> Client(const std::string& key = "") const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    c->set_read_timeout(60, 0);
    c->set_connection_timeout(5, 0);
    if (!key.empty()) c->set_bearer_token_auth(key.c_str());
    return c;
  }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

struct HttpReply {
  int status = 0;  // 0: no answer
  std::string body;
  nlohmann::json json;  // parsed body (discarded when not JSON)
  httplib::Headers headers;
};

inline HttpReply Post(httplib::Client& c, const std::string& path, const std::string& body) {
  HttpReply r;
  auto res = c.Post(path.c_str(), body, "application/json");
  if (!res) return r;
  r.status = res->status;
  r.body = res->body;
  r.headers = res->headers;
  r.json = nlohmann::json::parse(r.body, nullptr, false);
  return r;
}

inline HttpReply Get(httplib::Client& c, const std::string& path) {
  HttpReply r;
  auto res = c.Get(path.c_str());
  if (!res) return r;
  r.status = res->status;
  r.body = res->body;
  r.headers = res->headers;
  r.json = nlohmann::json::parse(r.body, nullptr, false);
  return r;
}

struct SseReply {
  int status = 0;
  std::vector<nlohmann::json> events;  // parsed "data:" payloads before [DONE]
  bool done = false;                   // "data: [DONE]" seen
  bool well_formed = true;             // every data line parsed as JSON
  std::string raw;
};

// POSTs `body` and parses the event stream; `keep_going(events so far)` false hangs up.
inline SseReply PostStream(httplib::Client& c, const std::string& path, const std::string& body,
                           std::function<bool(const SseReply&)> keep_going = nullptr) {
  SseReply out;
  std::string buf;
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.body = body;
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    out.raw.append(data, n);
    buf.append(data, n);
    size_t end;
    while ((end = buf.find("\n\n")) != std::string::npos) {
      std::string ev = buf.substr(0, end);
      buf.erase(0, end + 2);
      if (ev.rfind("data: ", 0) != 0) continue;  // comments (keep-alive)
      std::string payload = ev.substr(6);
      if (payload == "[DONE]") {
        out.done = true;
        continue;
      }
      auto j = nlohmann::json::parse(payload, nullptr, false);
      if (j.is_discarded()) out.well_formed = false;
      out.events.push_back(j);
    }
    return !keep_going || keep_going(out);
  };
  auto res = c.send(req);
  if (res) out.status = res->status;
  return out;
}

// The value of an unlabelled metric in Prometheus text; -1 when absent.
inline double Metric(const std::string& text, const std::string& name) {
  size_t pos = 0;
  while ((pos = text.find(name + " ", pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') return std::stod(text.substr(pos + name.size() + 1));
    pos += name.size();
  }
  return -1;
}

// Polls /metrics (up to ~5 s) until no sequence runs and no KV block is held; returns the last
// (miaotui_running_sequences, miaotui_kv_blocks_used), -1 where absent.
inline std::pair<double, double> WaitUntilIdle(httplib::Client& c) {
  double running = -1, used = -1;
  for (int i = 0; i < 200; ++i) {
    HttpReply m = Get(c, "/metrics");
    used = Metric(m.body, "miaotui_kv_blocks_used");
    running = Metric(m.body, "miaotui_running_sequences");
    if (used == 0 && running == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return {running, used};
}

}  // namespace miaotui::server::testing
