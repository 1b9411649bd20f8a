// Chat: a conversation with a model through its chat template, evaluated incrementally.
//
// Each Send re-renders the whole conversation (with the generation prompt), tokenizes it and
// lets PromptCache evaluate only the suffix that differs from what the KV cache holds; then it
// samples the reply token by token, streaming whole UTF-8 characters through on_text. A reply
// ends at any end-of-generation id (Tokenizer::IsEndOfGeneration), at the template's end-of-turn
// text, after n_predict tokens, when the context is full, or when *cancel becomes true (checked
// before every token; set it from a SIGINT handler). The reply - also a cut-off one - becomes an
// assistant message. If the prompt cannot be evaluated (e.g. it overflows the context) the user
// message is taken back and the conversation is as it was.
//
// Conversations are saved and loaded as a JSON list of {"role": ..., "content": ...}.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runtime/chat_format.h"
#include "runtime/prompt_cache.h"
#include "runtime/sampler.h"

namespace miaotui::runtime {

struct ChatOptions {
  SamplingParams sampling;
  int32_t n_predict = -1;             // tokens per reply; < 0: until end of turn or full context
  std::optional<std::string> system;  // system prompt, kept across Reset
};

enum class StopReason { kEndOfGeneration, kEndOfTurnText, kLength, kContextFull, kCancelled };

struct ChatReply {
  std::string text;
  int32_t n_tokens = 0;
  StopReason reason = StopReason::kEndOfGeneration;
  int64_t prompt_reused = 0, prompt_evaluated = 0;  // prompt tokens kept / evaluated this turn
  double prompt_seconds = 0, generate_seconds = 0;
};

class Chat {
 public:
  // Errors: invalid sampling options.
  static Result<std::unique_ptr<Chat>> Create(Session& session, ChatFormat format,
                                              ChatOptions options);

  Result<ChatReply> Send(std::string_view user_text,
                         const std::function<void(std::string_view)>& on_text,
                         const std::atomic<bool>* cancel = nullptr);
  void Reset();  // back to the system prompt alone (the cached prefix stays reusable)
  Status Save(const std::string& path) const;
  // Replaces the conversation. Errors name the file and what is wrong with it.
  Status Load(const std::string& path);

  const nlohmann::json& messages() const { return messages_; }
  const PromptCache& cache() const { return cache_; }

 private:
  Chat(Session& session, ChatFormat format, ChatOptions options);
  // Renders and tokenizes the conversation and syncs the cache; the last token's logits.
  Result<std::span<const float>> EvaluatePrompt();
  Result<ChatReply> Generate(std::span<const float> logits,
                             const std::function<void(std::string_view)>& on_text,
                             const std::atomic<bool>* cancel);

  Session& session_;
  ChatFormat format_;
  ChatOptions options_;
  PromptCache cache_;
  Sampler sampler_;
  nlohmann::json messages_ = nlohmann::json::array();
};

}  // namespace miaotui::runtime
