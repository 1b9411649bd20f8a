// Server's generation endpoints: /v1/chat/completions and /v1/completions, answered whole or as
// server-sent events. The engine's events reach the HTTP thread through an EventQueue; a stream
// whose client has gone (a write fails) cancels its sequence.
#include <httplib.h>

#include <chrono>

#include "event_queue.h"
#include "openai_format.h"
#include "peer_socket.h"
#include "server.h"

namespace miaotui::server {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The engine's refusal of a submission as an API error.
ApiError SubmitError(const Status& st, bool shutting_down) {
  ApiError e;
  e.message = st.message();
  switch (st.code()) {
    case StatusCode::kOutOfRange:
      e.param = "messages";
      e.code = "context_length_exceeded";
      break;
    case StatusCode::kResourceExhausted:
      e.http_status = shutting_down ? 503 : 429;
      e.type = shutting_down ? "server_error" : "rate_limit_error";
      e.code = shutting_down ? "shutting_down" : "queue_full";
      break;
    default:  // e.g. a token id outside the vocabulary
      e.param = "messages";
      e.code = "invalid_value";
      break;
  }
  return e;
}

// Everything one answer needs, shared by the handler, the stream provider and the engine
// callback.
struct Pending {
  EventQueue queue;
  Clock::time_point start = Clock::now();
  Clock::time_point last_token;
  bool got_token = false;
};

}  // namespace

std::optional<ApiError> Server::RequireGenerator() const {
  if (engine_) return std::nullopt;
  return BadField("model", "the model " + model_id_ + " is an encoder; it serves /v1/embeddings only",
                  "model_not_supported");
}

void Server::HandleChat(const httplib::Request& req, httplib::Response& res) {
  ChatRequest cr;
  json body;
  std::optional<ApiError> e = ParseBody(req.body, &body);
  if (!e) e = ParseChatRequest(body, options_.limits, options_.sampling, &cr);
  if (!e) e = RequireGenerator();
  if (e) return SendError(res, *e, req.path);
  if (!chat_format_) {
    return SendError(res, BadField("messages", chat_format_error_, "no_chat_template"), req.path);
  }
  Result<std::string> text = chat_format_->Render(cr.messages, /*add_generation_prompt=*/true);
  if (!text.ok()) {
    return SendError(res, BadField("messages", "the chat template failed: " +
                                                   text.status().message()), req.path);
  }
  std::vector<int32_t> prompt = chat_format_->Tokenize(model_->tokenizer(), *text);
  std::vector<std::string> extra;
  if (!chat_format_->EndOfTurn().empty()) extra.push_back(chat_format_->EndOfTurn());
  Generate(req, res, /*chat=*/true, cr.spec, std::move(prompt), std::move(extra));
}

void Server::HandleCompletion(const httplib::Request& req, httplib::Response& res) {
  CompletionRequest cr;
  json body;
  std::optional<ApiError> e = ParseBody(req.body, &body);
  if (!e) e = ParseCompletionRequest(body, options_.limits, options_.sampling, &cr);
  if (!e) e = RequireGenerator();
  if (e) return SendError(res, *e, req.path);
  std::vector<int32_t> prompt;
  if (cr.prompt_text) {
    prompt = model_->tokenizer().Encode(*cr.prompt_text, /*add_special=*/true,
                                        /*parse_special=*/true);
  } else {
    prompt = std::move(cr.prompt_tokens);
  }
  if (prompt.empty()) return SendError(res, BadField("prompt", "the prompt has no tokens"), "");
  Generate(req, res, /*chat=*/false, cr.spec, std::move(prompt), {});
}

void Server::Generate(const httplib::Request& req, httplib::Response& res, bool chat,
                      const GenerationSpec& spec,
                      std::vector<int32_t> prompt, std::vector<std::string> extra_stop) {
  runtime::GenerationRequest gr;
  gr.prompt = std::move(prompt);
  gr.sampling = spec.sampling;
  gr.max_tokens = spec.max_tokens;
  gr.stop = spec.stop;
  for (auto& s : extra_stop) gr.stop.push_back(std::move(s));
  gr.top_logprobs = spec.logprobs ? spec.top_logprobs : -1;
  if (spec.json_object) gr.constraint = std::make_shared<runtime::JsonConstraint>(json_vocab_);

  auto pending = std::make_shared<Pending>();
  Metrics* metrics = &metrics_;
  auto cb = [pending, metrics](const runtime::GenerationEvent& ev) {
    if (ev.token >= 0) {
      const auto now = Clock::now();
      if (!pending->got_token) {
        metrics->ObserveTimeToFirstToken(
            std::chrono::duration<double>(now - pending->start).count());
        pending->got_token = true;
      } else {
        metrics->ObserveInterTokenLatency(
            std::chrono::duration<double>(now - pending->last_token).count());
      }
      pending->last_token = now;
    }
    pending->queue.Push(ev);
  };
  Result<uint64_t> id = engine_->Submit(std::move(gr), cb);
  if (!id.ok()) {
    ApiError e = SubmitError(id.status(), shutting_down_);
    if (!chat && e.param == "messages") e.param = "prompt";
    if (e.http_status == 429) res.set_header("Retry-After", "1");
    return SendError(res, e, "");
  }
  ResponseIds ids{NewId(chat ? "chatcmpl" : "cmpl"), model_id_, UnixNow()};
  const tokenizer::Tokenizer& tok = model_->tokenizer();
  const bool want_lp = spec.logprobs;
  const bool want_top = spec.logprobs && spec.top_logprobs > 0;

  if (!spec.stream) {
    in_flight_++;
    std::string text;
    std::vector<runtime::GenerationEvent> lp_events;
    runtime::GenerationEvent ev;
    PeerSocket peer(req.remote_addr, req.remote_port, req.local_port);
    bool cancelled = false;
    constexpr auto kCheckEvery = std::chrono::milliseconds(200);
    auto next_check = Clock::now() + kCheckEvery;
    for (;;) {
      const bool got = pending->queue.Pop(&ev, kCheckEvery);
      // Every 200 ms (queued, or generating): is the client still there?
      if (!cancelled && Clock::now() >= next_check) {
        next_check = Clock::now() + kCheckEvery;
        if (peer.ClientGone()) {
          engine_->Cancel(*id);
          cancelled = true;  // the engine answers with a finished (cancelled) event
        }
      }
      if (!got) continue;
      text += ev.text;
      if (want_lp && ev.token >= 0) lp_events.push_back(ev);
      if (ev.finished) break;
    }
    in_flight_--;
    if (ev.reason == runtime::FinishReason::kError) {
      ApiError e;
      e.http_status = 500;
      e.type = "server_error";
      e.message = ev.error;
      return SendError(res, e, "");
    }
    json usage = Usage(ev.prompt_tokens, ev.completion_tokens, ev.cached_tokens);
    json lp = nullptr;
    if (want_lp) {
      lp = chat ? ChatLogprobs(lp_events, tok, want_top)
                : CompletionLogprobs(lp_events, tok, want_top, 0);
    }
    SendJson(res, Dump(chat ? ChatCompletion(ids, text, ev.reason, lp, usage)
                            : TextCompletion(ids, text, ev.reason, lp, usage)));
    return;
  }

  // Streaming: the provider runs on this HTTP thread after the handler returns.
  struct StreamState {
    bool started = false, finished = false;
    size_t text_offset = 0;
  };
  auto state = std::make_shared<StreamState>();
  runtime::Engine* engine = engine_.get();
  const uint64_t seq = *id;
  const bool include_usage = spec.include_usage;
  in_flight_++;
  metrics_.StreamStarted();
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [=, &tok](size_t, httplib::DataSink& sink) -> bool {
        auto write = [&](const std::string& s) { return sink.write(s.data(), s.size()); };
        if (!state->started) {
          state->started = true;
          if (chat && !write(SseData(ChatChunk(ids, {{"role", "assistant"}, {"content", ""}},
                                               nullptr, nullptr)))) {
            return false;
          }
        }
        runtime::GenerationEvent ev;
        if (!pending->queue.Pop(&ev, std::chrono::milliseconds(500))) {
          // Nothing yet (queued or prefilling): a comment line finds a client that has gone.
          return write(": keep-alive\n\n");
        }
        for (;;) {
          if (ev.reason == runtime::FinishReason::kError) {
            ApiError e;
            e.http_status = 500;
            e.type = "server_error";
            e.message = ev.error;
            write("data: " + ErrorJson(e) + "\n\n");
            write(SseDone());
            state->finished = true;
            sink.done();
            return true;
          }
          if (!ev.text.empty() || ev.token >= 0) {
            json lp = nullptr;
            if (want_lp && ev.token >= 0) {
              std::vector<runtime::GenerationEvent> one = {ev};
              lp = chat ? ChatLogprobs(one, tok, want_top)
                        : CompletionLogprobs(one, tok, want_top, state->text_offset);
            }
            state->text_offset += ev.text.size();
            if (!ev.text.empty() || want_lp) {
              json chunk = chat ? ChatChunk(ids, {{"content", ev.text}}, nullptr, lp)
                                : TextChunk(ids, ev.text, nullptr, lp);
              if (!write(SseData(chunk))) return false;
            }
          }
          if (ev.finished) {
            const char* why = FinishReasonText(ev.reason);
            json last = chat ? ChatChunk(ids, json::object(), why, nullptr)
                             : TextChunk(ids, "", why, nullptr);
            if (!write(SseData(last))) return false;
            if (include_usage &&
                !write(SseData(UsageChunk(
                    ids, chat, Usage(ev.prompt_tokens, ev.completion_tokens, ev.cached_tokens))))) {
              return false;
            }
            if (!write(SseDone())) return false;
            state->finished = true;
            sink.done();
            return true;
          }
          if (!pending->queue.Pop(&ev, std::chrono::milliseconds(0))) return true;
        }
      },
      [this, engine, seq, state, pending](bool success) {
        if (!state->finished) engine->Cancel(seq);
        metrics_.StreamEnded();
        in_flight_--;
      });
}

}  // namespace miaotui::server
