#include "server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "auth.h"
#include "base64.h"
#include "models/chat_template_source.h"
#include "openai_format.h"
#include "web_assets.h"

namespace miaotui::server {

using nlohmann::json;

namespace {

constexpr int kListenBacklog = 1024;
constexpr int kShutdownGraceMs = 200;

// The endpoint label of a path in /metrics (unknown paths are one label, so a scanner cannot
// grow the label set).
std::string EndpointLabel(const std::string& path) {
  static const char* const kKnown[] = {"/v1/chat/completions", "/v1/completions",
                                       "/v1/embeddings",       "/v1/models",
                                       "/health",              "/metrics",
                                       "/tokenize",            "/detokenize"};
  for (const char* k : kKnown) {
    if (path == k) return k;
  }
  if (path == "/" || path == "/index.html" || path == "/app.js" || path == "/style.css") {
    return "web";
  }
  return "other";
}

const char* StatusText(int status) {
  switch (status) {
    case 400: return "bad request";
    case 401: return "unauthorized";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 413: return "the request body is too large";
    case 429: return "too many requests";
    case 503: return "the server is shutting down";
    default: return "error";
  }
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Create(std::unique_ptr<models::Model> model,
                                               ServerOptions options) {
  auto s = std::unique_ptr<Server>(new Server());
  s->options_ = std::move(options);
  s->model_ = std::move(model);
  const models::ModelInfo& info = s->model_->info();
  s->model_id_ = s->options_.model_alias;
  if (s->model_id_.empty()) {
    s->model_id_ = std::filesystem::path(info.path).filename().string();
    if (s->model_id_.empty()) s->model_id_ = info.arch;
  }
  if (info.is_encoder) {
    runtime::EmbedOptions eo;
    eo.n_threads = s->options_.embed_threads > 0 ? s->options_.embed_threads
                                                 : s->options_.engine.n_threads;
    eo.normalize = true;
    MT_ASSIGN_OR_RETURN(s->embedder_, runtime::Embedder::Create(*s->model_, eo));
  } else {
    MT_ASSIGN_OR_RETURN(s->engine_, runtime::Engine::Create(*s->model_, s->options_.engine));
    s->json_vocab_ = runtime::MakeJsonVocab(s->model_->tokenizer());
    s->options_.limits.max_tokens = static_cast<int32_t>(
        std::min<int64_t>(s->options_.limits.max_tokens, s->engine_->options().n_ctx));
    s->options_.limits.default_max_tokens =
        std::min(s->options_.limits.default_max_tokens, s->options_.limits.max_tokens);
    auto src = models::ReadChatTemplateSource(info.path);
    std::optional<std::string> tmpl = s->options_.chat_template;
    std::optional<std::string> bos, eos;
    if (src.ok()) {
      if (!tmpl) tmpl = src->chat_template;
      bos = src->bos_token;
      eos = src->eos_token;
    }
    if (tmpl) {
      MT_ASSIGN_OR_RETURN(auto f, runtime::ChatFormat::Create(*tmpl, bos, eos));
      s->chat_format_ = std::move(f);
    } else {
      s->chat_format_error_ = "the model " + s->model_id_ +
                              " has no chat template; use /v1/completions, or start the server "
                              "with --chat-template FILE";
    }
  }
  s->Routes();
  return s;
}

Server::~Server() {
  if (engine_) engine_->Shutdown(false);
}

runtime::EngineStats Server::stats() const {
  return engine_ ? engine_->stats() : runtime::EngineStats{};
}

bool Server::Authorized(const httplib::Request& req) const {
  if (options_.api_key.empty()) return true;
  return BearerMatches(req.get_header_value("Authorization"), options_.api_key);
}

void Server::SendJson(httplib::Response& res, const std::string& body) {
  res.set_content(body, "application/json");
}

void Server::SendError(httplib::Response& res, const ApiError& e, const std::string& endpoint) {
  res.status = e.http_status;
  res.set_content(ErrorJson(e), "application/json");
}

void Server::Routes() {
  http_ = std::make_unique<httplib::Server>();
  httplib::Server& h = *http_;
  int threads = options_.http_threads;
  if (threads <= 0) {
    threads = static_cast<int>(std::min<int64_t>(
        512, 2 * (options_.engine.max_seqs + options_.engine.max_queue) + 16));
  }
  h.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  h.set_payload_max_length(options_.max_body_bytes);
  h.set_tcp_nodelay(true);
  // cpp-httplib (Debian's shared build) listens with a backlog of 5: a burst of clients
  // connecting at once overflows it, the kernel drops their handshakes and they retry after 1,
  // 3, 7 s - past a client's connect timeout. Keep the socket to raise the backlog after bind.
  h.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd_ = sock;
  });
  h.set_read_timeout(10, 0);
  h.set_write_timeout(10, 0);

  h.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const bool public_path = req.path == "/health" || (req.method == "GET" &&
                             (req.path == "/" || req.path == "/index.html" ||
                              req.path == "/app.js" || req.path == "/style.css"));
    if (!public_path && !Authorized(req)) {
      ApiError e;
      e.http_status = 401;
      e.message = "missing or invalid API key (send 'Authorization: Bearer <key>')";
      e.type = "authentication_error";
      e.code = "invalid_api_key";
      res.set_header("WWW-Authenticate", "Bearer");
      SendError(res, e, req.path);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (shutting_down_ && req.method == "POST") {
      ApiError e;
      e.http_status = 503;
      e.message = "the server is shutting down";
      e.type = "server_error";
      e.code = "shutting_down";
      SendError(res, e, req.path);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  h.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    ApiError e;
    e.http_status = res.status;
    e.message = res.status == 404 ? "no route " + req.method + " " + req.path
                                  : StatusText(res.status);
    if (res.status == 404) e.code = "not_found";
    res.set_content(ErrorJson(e), "application/json");
  });
  h.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& ex) {
          what = std::string("internal error: ") + ex.what();
        } catch (...) {
        }
        ApiError e;
        e.http_status = 500;
        e.message = what;
        e.type = "server_error";
        res.status = 500;
        res.set_content(ErrorJson(e), "application/json");
      });
  h.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    metrics_.CountRequest(EndpointLabel(req.path), res.status);
  });

  h.Post("/v1/chat/completions",
         [this](const httplib::Request& q, httplib::Response& r) { HandleChat(q, r); });
  h.Post("/v1/completions",
         [this](const httplib::Request& q, httplib::Response& r) { HandleCompletion(q, r); });
  h.Post("/v1/embeddings",
         [this](const httplib::Request& q, httplib::Response& r) { HandleEmbeddings(q, r); });
  h.Post("/tokenize",
         [this](const httplib::Request& q, httplib::Response& r) { HandleTokenize(q, r); });
  h.Post("/detokenize",
         [this](const httplib::Request& q, httplib::Response& r) { HandleDetokenize(q, r); });
  h.Get("/v1/models",
        [this](const httplib::Request& q, httplib::Response& r) { HandleModels(q, r); });
  h.Get("/metrics",
        [this](const httplib::Request& q, httplib::Response& r) { HandleMetrics(q, r); });
  h.Get("/health", [this](const httplib::Request&, httplib::Response& r) {
    if (shutting_down_) {
      r.status = 503;
      SendJson(r, R"({"status":"shutting down"})");
    } else {
      SendJson(r, R"({"status":"ok"})");
    }
  });
  h.Get("/", [this](const httplib::Request& q, httplib::Response& r) { ServeAsset(q, r); });
  h.Get("/index.html",
        [this](const httplib::Request& q, httplib::Response& r) { ServeAsset(q, r); });
  h.Get("/app.js", [this](const httplib::Request& q, httplib::Response& r) { ServeAsset(q, r); });
  h.Get("/style.css",
        [this](const httplib::Request& q, httplib::Response& r) { ServeAsset(q, r); });
}

Status Server::Bind() {
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
    if (port_ <= 0) return IoError("cannot listen on " + options_.host + " (any port)");
  } else {
    if (!http_->bind_to_port(options_.host, options_.port)) {
      return IoError("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                     " (in use, or not an address of this machine)");
    }
    port_ = options_.port;
  }
  // listen() again on a listening socket only changes its backlog (capped by somaxconn).
  if (listen_fd_ >= 0 && ::listen(listen_fd_, kListenBacklog) != 0) {
    return IoError("cannot set the listen backlog on " + options_.host);
  }
  return Status::Ok();
}

void Server::Run() { http_->listen_after_bind(); }

void Server::Shutdown(bool finish_running) {
  // 1. Stop admitting: from here every POST is answered 503 (the listener stays open, so a
  //    client that connects now gets that answer instead of a reset connection).
  shutting_down_ = true;
  // 2. Finish (or cancel) every sequence the engine holds; blocks until it is idle.
  if (engine_) engine_->Shutdown(finish_running);
  std::lock_guard<std::mutex> lock(shutdown_mu_);
  // 3. Let the answers in progress (their final events are queued) reach their clients.
  for (int i = 0; i < 400 && in_flight_.load() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  // 4. A graceful stop keeps listening a moment longer: requests whose connection was accepted
  //    (or is in the backlog) but whose bytes had not been read yet get their 503 rather than a
  //    closed connection.
  if (finish_running) std::this_thread::sleep_for(std::chrono::milliseconds(kShutdownGraceMs));
  // 5. Close the listener. httplib then joins its workers, which finish writing what they hold.
  http_->stop();
}

void Server::HandleModels(const httplib::Request&, httplib::Response& res) {
  const auto& info = model_->info();
  json m = {{"id", model_id_},
            {"object", "model"},
            {"created", 0},
            {"owned_by", "miaotui"},
            {"meta",
             {{"arch", info.arch},
              {"n_params", info.n_params},
              {"n_vocab", info.n_vocab},
              {"n_ctx_train", info.n_ctx_train},
              {"n_ctx", engine_ ? engine_->options().n_ctx : info.n_ctx_train},
              {"encoder", info.is_encoder}}}};
  SendJson(res, Dump({{"object", "list"}, {"data", {m}}}));
}

void Server::HandleMetrics(const httplib::Request&, httplib::Response& res) {
  runtime::EngineStats st = stats();
  res.set_content(metrics_.Render(engine_ ? &st : nullptr), "text/plain; version=0.0.4");
}

void Server::ServeAsset(const httplib::Request& req, httplib::Response& res) {
  const std::string path = req.path == "/" ? "/index.html" : req.path;
  for (const WebAsset& a : WebAssets()) {
    if (path == a.path) {
      res.set_content(a.data, a.size, a.content_type);
      res.set_header("Cache-Control", "no-cache");
      return;
    }
  }
  res.status = 404;
}

void Server::HandleTokenize(const httplib::Request& req, httplib::Response& res) {
  json body;
  if (auto e = ParseBody(req.body, &body)) return SendError(res, *e, req.path);
  auto c = body.find("content");
  if (c == body.end() || !c->is_string()) {
    return SendError(res, BadField("content", "'content' must be a string", "invalid_type"),
                     req.path);
  }
  bool add_special = false, with_pieces = false, parse_special = true;
  for (auto [key, out] : {std::pair<const char*, bool*>{"add_special", &add_special},
                          {"with_pieces", &with_pieces},
                          {"parse_special", &parse_special}}) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) continue;
    if (!it->is_boolean()) {
      return SendError(res, BadField(key, std::string("'") + key + "' must be a boolean",
                                     "invalid_type"), req.path);
    }
    *out = it->get<bool>();
  }
  const auto& tok = model_->tokenizer();
  std::vector<int32_t> ids = tok.Encode(c->get<std::string>(), add_special, parse_special);
  json tokens = json::array();
  for (int32_t id : ids) {
    if (with_pieces) {
      tokens.push_back({{"id", id}, {"piece", tok.TokenToPiece(id)}});
    } else {
      tokens.push_back(id);
    }
  }
  SendJson(res, Dump({{"tokens", tokens}}));
}

void Server::HandleDetokenize(const httplib::Request& req, httplib::Response& res) {
  json body;
  if (auto e = ParseBody(req.body, &body)) return SendError(res, *e, req.path);
  auto t = body.find("tokens");
  if (t == body.end() || !t->is_array()) {
    return SendError(res, BadField("tokens", "'tokens' must be an array of token ids",
                                   "invalid_type"), req.path);
  }
  const auto& tok = model_->tokenizer();
  std::vector<int32_t> ids;
  for (size_t i = 0; i < t->size(); ++i) {
    const json& v = (*t)[i];
    const std::string field = "tokens[" + std::to_string(i) + "]";
    if (!v.is_number_integer()) {
      return SendError(res, BadField(field, "'" + field + "' must be an integer", "invalid_type"),
                       req.path);
    }
    const int64_t id = AsInt64(v);
    if (id < 0 || id >= tok.n_vocab()) {
      return SendError(res, BadField(field, "token id " + v.dump() + " is outside the vocabulary"),
                       req.path);
    }
    ids.push_back(static_cast<int32_t>(id));
  }
  SendJson(res, Dump({{"content", tok.Decode(ids)}}));
}

void Server::HandleEmbeddings(const httplib::Request& req, httplib::Response& res) {
  json body;
  if (auto e = ParseBody(req.body, &body)) return SendError(res, *e, req.path);
  auto in = body.find("input");
  if (in == body.end() || in->is_null()) {
    return SendError(res, BadField("input", "'input' is required", "missing_required_parameter"),
                     req.path);
  }
  bool base64 = false;
  if (auto f = body.find("encoding_format"); f != body.end() && !f->is_null()) {
    if (!f->is_string() || (*f != "float" && *f != "base64")) {
      return SendError(res, BadField("encoding_format",
                                     "'encoding_format' must be \"float\" or \"base64\""),
                       req.path);
    }
    base64 = *f == "base64";
  }
  const auto& tok = model_->tokenizer();
  std::vector<std::vector<int32_t>> inputs;
  auto add_item = [&](const json& v, const std::string& field) -> std::optional<ApiError> {
    if (v.is_string()) {
      inputs.push_back(tok.Encode(v.get<std::string>(), true));
      return std::nullopt;
    }
    if (v.is_array() && !v.empty() && v[0].is_number_integer()) {
      std::vector<int32_t> ids;
      for (const json& t : v) {
        const int64_t id = t.is_number_integer() ? AsInt64(t) : -1;
        if (id < 0 || id >= tok.n_vocab()) {
          return BadField(field, "'" + field + "' holds an invalid token id");
        }
        ids.push_back(static_cast<int32_t>(id));
      }
      inputs.push_back(std::move(ids));
      return std::nullopt;
    }
    return BadField(field, "'" + field + "' must be a string or an array of token ids",
                    "invalid_type");
  };
  if (in->is_string() || (in->is_array() && !in->empty() && (*in)[0].is_number_integer())) {
    if (auto e = add_item(*in, "input")) return SendError(res, *e, req.path);
  } else if (in->is_array() && !in->empty()) {
    if (in->size() > options_.max_embedding_inputs) {
      return SendError(res, BadField("input", "'input' has more than " +
                                                  std::to_string(options_.max_embedding_inputs) +
                                                  " items"), req.path);
    }
    for (size_t i = 0; i < in->size(); ++i) {
      if (auto e = add_item((*in)[i], "input[" + std::to_string(i) + "]")) {
        return SendError(res, *e, req.path);
      }
    }
  } else {
    return SendError(res, BadField("input", "'input' must be a string, an array of strings or "
                                            "token ids", "invalid_type"), req.path);
  }
  int64_t n_tokens = 0;
  for (const auto& v : inputs) n_tokens += static_cast<int64_t>(v.size());
  Result<std::vector<std::vector<float>>> vecs = InvalidArgument("");
  {
    std::lock_guard<std::mutex> lock(embed_mu_);
    if (embedder_) {
      vecs = embedder_->Embed(inputs);
    } else {
      if (!decoder_embedder_) {
        const int threads = options_.embed_threads > 0 ? options_.embed_threads
                                                       : options_.engine.n_threads;
        auto made = runtime::DecoderEmbedder::Create(*model_, threads, engine_->options().n_ctx);
        if (!made.ok()) {
          ApiError e;
          e.http_status = 500;
          e.type = "server_error";
          e.message = made.status().message();
          return SendError(res, e, req.path);
        }
        decoder_embedder_ = std::move(*made);
      }
      vecs = decoder_embedder_->Embed(inputs);
    }
  }
  if (!vecs.ok()) {
    return SendError(res, BadField("input", vecs.status().message(), "context_length_exceeded"),
                     req.path);
  }
  json data = json::array();
  for (size_t i = 0; i < vecs->size(); ++i) {
    json vec = base64 ? json(FloatsToBase64((*vecs)[i])) : json((*vecs)[i]);
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", std::move(vec)}});
  }
  SendJson(res, Dump({{"object", "list"},
                      {"data", data},
                      {"model", model_id_},
                      {"usage", {{"prompt_tokens", n_tokens}, {"total_tokens", n_tokens}}}}));
}

}  // namespace miaotui::server
