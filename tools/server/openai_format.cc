#include "openai_format.h"

#include <atomic>
#include <chrono>
#include <random>

namespace miaotui::server {

using nlohmann::json;

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string SseData(const json& j) { return "data: " + Dump(j) + "\n\n"; }

const char* FinishReasonText(runtime::FinishReason r) {
  return r == runtime::FinishReason::kLength ? "length" : "stop";
}

json Usage(int64_t prompt_tokens, int64_t completion_tokens, int64_t cached_tokens) {
  return {{"prompt_tokens", prompt_tokens},
          {"completion_tokens", completion_tokens},
          {"total_tokens", prompt_tokens + completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", cached_tokens}}}};
}

namespace {

json Bytes(const std::string& s) {
  json b = json::array();
  for (unsigned char c : s) b.push_back(static_cast<int>(c));
  return b;
}

}  // namespace

json ChatLogprobs(const std::vector<runtime::GenerationEvent>& events,
                  const tokenizer::Tokenizer& tok, bool with_top) {
  json content = json::array();
  for (const auto& ev : events) {
    const std::string piece = tok.TokenToPiece(ev.token);
    json top = json::array();
    if (with_top) {
      for (const auto& t : ev.top) {
        const std::string p = tok.TokenToPiece(t.id);
        top.push_back({{"token", p}, {"logprob", t.logprob}, {"bytes", Bytes(p)}});
      }
    }
    content.push_back(
        {{"token", piece}, {"logprob", ev.logprob}, {"bytes", Bytes(piece)}, {"top_logprobs", top}});
  }
  return {{"content", content}};
}

json CompletionLogprobs(const std::vector<runtime::GenerationEvent>& events,
                        const tokenizer::Tokenizer& tok, bool with_top, size_t text_offset) {
  json tokens = json::array(), lps = json::array(), tops = json::array(), offsets = json::array();
  for (const auto& ev : events) {
    const std::string piece = tok.TokenToPiece(ev.token);
    tokens.push_back(piece);
    lps.push_back(ev.logprob);
    offsets.push_back(text_offset);
    text_offset += piece.size();
    if (with_top) {
      json t = json::object();
      for (const auto& c : ev.top) t[tok.TokenToPiece(c.id)] = c.logprob;
      tops.push_back(t);
    } else {
      tops.push_back(nullptr);
    }
  }
  return {{"tokens", tokens},
          {"token_logprobs", lps},
          {"top_logprobs", tops},
          {"text_offset", offsets}};
}

json ChatCompletion(const ResponseIds& ids, const std::string& text, runtime::FinishReason reason,
                    const json& logprobs, const json& usage) {
  json choice = {{"index", 0},
                 {"message", {{"role", "assistant"}, {"content", text}}},
                 {"logprobs", logprobs},
                 {"finish_reason", FinishReasonText(reason)}};
  return {{"id", ids.id},          {"object", "chat.completion"},
          {"created", ids.created}, {"model", ids.model},
          {"choices", {choice}},   {"usage", usage},
          {"system_fingerprint", "miaotui"}};
}

json ChatChunk(const ResponseIds& ids, const json& delta, const char* finish_reason,
               const json& logprobs) {
  json choice = {{"index", 0},
                 {"delta", delta},
                 {"logprobs", logprobs},
                 {"finish_reason", finish_reason ? json(finish_reason) : json(nullptr)}};
  return {{"id", ids.id},          {"object", "chat.completion.chunk"},
          {"created", ids.created}, {"model", ids.model},
          {"choices", {choice}},   {"system_fingerprint", "miaotui"}};
}

json TextCompletion(const ResponseIds& ids, const std::string& text, runtime::FinishReason reason,
                    const json& logprobs, const json& usage) {
  json choice = {{"index", 0},
                 {"text", text},
                 {"logprobs", logprobs},
                 {"finish_reason", FinishReasonText(reason)}};
  return {{"id", ids.id},          {"object", "text_completion"},
          {"created", ids.created}, {"model", ids.model},
          {"choices", {choice}},   {"usage", usage}};
}

json TextChunk(const ResponseIds& ids, const std::string& text, const char* finish_reason,
               const json& logprobs) {
  json choice = {{"index", 0},
                 {"text", text},
                 {"logprobs", logprobs},
                 {"finish_reason", finish_reason ? json(finish_reason) : json(nullptr)}};
  return {{"id", ids.id},          {"object", "text_completion"},
          {"created", ids.created}, {"model", ids.model},
          {"choices", {choice}}};
}

json UsageChunk(const ResponseIds& ids, bool chat, const json& usage) {
  return {{"id", ids.id},
          {"object", chat ? "chat.completion.chunk" : "text_completion"},
          {"created", ids.created},
          {"model", ids.model},
          {"choices", json::array()},
          {"usage", usage}};
}

std::string NewId(const char* prefix) {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s-%016llx%04llx", prefix,
                static_cast<unsigned long long>(salt),
                static_cast<unsigned long long>(counter.fetch_add(1) & 0xffff));
  return buf;
}

}  // namespace miaotui::server
