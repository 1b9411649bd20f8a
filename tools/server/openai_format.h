// OpenAI's response shapes for what the engine produced: chat.completion and
// chat.completion.chunk, text_completion (whole and streamed), usage and logprobs, and the
// server-sent-event framing ("data: <json>\n\n", "data: [DONE]\n\n"). Pure functions of their
// inputs; JSON is dumped with invalid UTF-8 replaced, so a partial byte never throws.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/engine.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::server {

// What identifies one response across its chunks.
struct ResponseIds {
  std::string id;     // "chatcmpl-..." or "cmpl-..."
  std::string model;
  int64_t created = 0;
};

// Accumulated per-token logprobs of one reply.
struct LogprobTrace {
  std::vector<runtime::GenerationEvent> tokens;  // events with token >= 0 (text, logprobs)
};

std::string Dump(const nlohmann::json& j);
std::string SseData(const nlohmann::json& j);
inline const char* SseDone() { return "data: [DONE]\n\n"; }

const char* FinishReasonText(runtime::FinishReason r);  // "stop" or "length"
nlohmann::json Usage(int64_t prompt_tokens, int64_t completion_tokens, int64_t cached_tokens);

// Chat logprobs {"content": [{"token", "logprob", "bytes", "top_logprobs"}]} for `events`.
nlohmann::json ChatLogprobs(const std::vector<runtime::GenerationEvent>& events,
                            const tokenizer::Tokenizer& tok, bool with_top);
// Legacy completions logprobs {"tokens", "token_logprobs", "top_logprobs", "text_offset"}.
nlohmann::json CompletionLogprobs(const std::vector<runtime::GenerationEvent>& events,
                                  const tokenizer::Tokenizer& tok, bool with_top,
                                  size_t text_offset);

nlohmann::json ChatCompletion(const ResponseIds& ids, const std::string& text,
                              runtime::FinishReason reason, const nlohmann::json& logprobs,
                              const nlohmann::json& usage);
// One chunk; `delta` as given (e.g. {"role": "assistant", "content": ""} first, {} last).
nlohmann::json ChatChunk(const ResponseIds& ids, const nlohmann::json& delta,
                         const char* finish_reason, const nlohmann::json& logprobs);
nlohmann::json TextCompletion(const ResponseIds& ids, const std::string& text,
                              runtime::FinishReason reason, const nlohmann::json& logprobs,
                              const nlohmann::json& usage);
nlohmann::json TextChunk(const ResponseIds& ids, const std::string& text,
                         const char* finish_reason, const nlohmann::json& logprobs);
// The usage-only last chunk (stream_options.include_usage): choices [] and usage.
nlohmann::json UsageChunk(const ResponseIds& ids, bool chat, const nlohmann::json& usage);

std::string NewId(const char* prefix);

}  // namespace miaotui::server
