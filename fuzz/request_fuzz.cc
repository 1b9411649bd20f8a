// libFuzzer target: the server's request parsing with no sockets - arbitrary bytes as the body of
// /v1/chat/completions and /v1/completions. ParseBody and the request parsers must return an
// ApiError or a request within Limits, never throw or crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "request_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace miaotui::server;
  nlohmann::json body;
  if (ParseBody(std::string(reinterpret_cast<const char*>(data), size), &body)) return 0;
  const Limits limits;
  const miaotui::runtime::SamplingParams defaults;
  ChatRequest chat;
  if (!ParseChatRequest(body, limits, defaults, &chat)) {
    if (chat.spec.max_tokens > limits.max_tokens || chat.spec.stop.size() > limits.max_stop ||
        chat.messages.size() > limits.max_messages) {
      std::abort();  // a request past the configured limits was accepted
    }
  }
  CompletionRequest completion;
  if (!ParseCompletionRequest(body, limits, defaults, &completion)) {
    if (completion.spec.max_tokens > limits.max_tokens ||
        completion.prompt_tokens.size() > limits.max_prompt_tokens_array) {
      std::abort();
    }
  }
  return 0;
}
