// Parsing and validating the JSON bodies of /v1/chat/completions and /v1/completions into a
// GenerationSpec. Every field is type-checked; a wrong type or value gives an ApiError naming
// the field (param) - nothing here throws or trusts the client. Sizes are bounded by Limits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_error.h"
#include "runtime/sampler.h"

namespace miaotui::server {

struct Limits {
  int32_t max_tokens = 4096;     // largest max_tokens accepted
  int32_t default_max_tokens = 256;
  size_t max_messages = 512;
  size_t max_stop = 16;
  size_t max_stop_bytes = 256;
  size_t max_prompt_tokens_array = 1 << 20;
};

// What both endpoints share, after validation.
struct GenerationSpec {
  runtime::SamplingParams sampling;
  int32_t max_tokens = 256;
  std::vector<std::string> stop;
  bool stream = false;
  bool include_usage = false;
  bool logprobs = false;
  int32_t top_logprobs = 0;
  bool json_object = false;
  std::string model;
};

struct ChatRequest {
  GenerationSpec spec;
  nlohmann::json messages;  // [{"role", "content": string}], content parts joined
};

struct CompletionRequest {
  GenerationSpec spec;
  std::optional<std::string> prompt_text;  // or:
  std::vector<int32_t> prompt_tokens;
};

// `default_sampling`: the server's defaults, overridden by the request's fields.
std::optional<ApiError> ParseChatRequest(const nlohmann::json& body, const Limits& limits,
                                         const runtime::SamplingParams& default_sampling,
                                         ChatRequest* out);
std::optional<ApiError> ParseCompletionRequest(const nlohmann::json& body, const Limits& limits,
                                               const runtime::SamplingParams& default_sampling,
                                               CompletionRequest* out);

// A JSON integer as int64 (unsigned values above INT64_MAX clamp to it). REQUIRES an integer.
int64_t AsInt64(const nlohmann::json& v);

// Parses a request body; a syntax error or a non-object gives a 400 naming no field.
std::optional<ApiError> ParseBody(const std::string& body, nlohmann::json* out);

}  // namespace miaotui::server
