// Server: miaotui's OpenAI-compatible HTTP server (cpp-httplib) over one model.
//
// Routes: POST /v1/chat/completions, /v1/completions, /v1/embeddings, /tokenize, /detokenize;
// GET /v1/models, /health, /metrics, and the web chat page at / (embedded assets). A decoder
// model generates through a runtime::Engine (continuous batching) and embeds by last-token
// pooling (runtime::DecoderEmbedder); an encoder model serves embeddings (and tokenize) only.
// Embeddings come as float arrays or, with encoding_format "base64", as base64 of their
// little-endian float32 bytes. Every failure is an OpenAI-style error object: 400 for a bad
// body or field (naming it) and for a prompt longer than the context, 401 without the API key
// (compared in constant time), 404 for an unknown route, 413 for an oversized body, 429 with
// Retry-After when the queue is full, 503 while shutting down. A streaming client that goes
// away cancels its sequence, which frees its KV blocks.
//
// Lifecycle: Create -> Bind -> Run (blocks, on any thread) ... Shutdown (from another thread:
// stop admitting, finish or cancel what runs, then Run returns).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api_error.h"
#include "metrics.h"
#include "models/model.h"
#include "request_parse.h"
#include "runtime/chat_format.h"
#include "runtime/decoder_embedder.h"
#include "runtime/embedder.h"
#include "runtime/engine.h"
#include "runtime/json_constraint.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace miaotui::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;              // 0: any free port (see Server::port())
  std::string api_key;          // empty: no authentication
  std::string model_alias;      // the model's id in /v1/models; default: the file name
  std::optional<std::string> chat_template;  // overrides the model's template
  runtime::EngineOptions engine;
  runtime::SamplingParams sampling;  // defaults for fields a request leaves out
  Limits limits;
  size_t max_body_bytes = 4 << 20;
  int http_threads = 0;         // 0: enough for every sequence plus spare
  int embed_threads = 0;
  size_t max_embedding_inputs = 256;
};

class Server {
 public:
  // Takes the model. Errors: an engine that cannot be created, a chat template that does not
  // parse.
  static Result<std::unique_ptr<Server>> Create(std::unique_ptr<models::Model> model,
                                                ServerOptions options);
  ~Server();

  Status Bind();              // listens on host:port
  int port() const { return port_; }
  void Run();                 // serves until Shutdown
  // Stops admitting (503), then finishes (or cancels) what runs and makes Run return. Safe to
  // call from any thread, more than once (a second call with finish_running=false cancels).
  void Shutdown(bool finish_running);
  runtime::EngineStats stats() const;

 private:
  Server() = default;
  void Routes();
  bool Authorized(const httplib::Request& req) const;
  void SendError(httplib::Response& res, const ApiError& e, const std::string& endpoint);
  void SendJson(httplib::Response& res, const std::string& body);

  std::optional<ApiError> RequireGenerator() const;  // an error for an encoder model
  void HandleChat(const httplib::Request& req, httplib::Response& res);
  void HandleCompletion(const httplib::Request& req, httplib::Response& res);
  void HandleEmbeddings(const httplib::Request& req, httplib::Response& res);
  void HandleTokenize(const httplib::Request& req, httplib::Response& res);
  void HandleDetokenize(const httplib::Request& req, httplib::Response& res);
  void HandleModels(const httplib::Request& req, httplib::Response& res);
  void HandleMetrics(const httplib::Request& req, httplib::Response& res);
  void ServeAsset(const httplib::Request& req, httplib::Response& res);

  // Submits and answers (whole or streamed) a validated generation. A client that goes away
  // (a failed write while streaming; a closed connection while waiting for a whole answer)
  // cancels its sequence, which frees its KV blocks.
  void Generate(const httplib::Request& req, httplib::Response& res, bool chat, const GenerationSpec& spec,
                std::vector<int32_t> prompt, std::vector<std::string> extra_stop);

  ServerOptions options_;
  std::unique_ptr<models::Model> model_;
  std::string model_id_;
  std::unique_ptr<runtime::Engine> engine_;
  std::optional<runtime::ChatFormat> chat_format_;
  std::string chat_format_error_;
  std::shared_ptr<const runtime::JsonVocab> json_vocab_;
  std::mutex embed_mu_;
  std::unique_ptr<runtime::Embedder> embedder_;
  std::unique_ptr<runtime::DecoderEmbedder> decoder_embedder_;  // made at the first request
  Metrics metrics_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
  std::atomic<int> listen_fd_{-1};  // the listening socket, to raise its backlog after bind
  std::atomic<bool> shutting_down_{false};
  std::atomic<int> in_flight_{0};  // generation requests being answered
  std::mutex shutdown_mu_;
};

}  // namespace miaotui::server
