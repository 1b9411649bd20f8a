// PromptCache: keeps a Session's KV cache in step with a token sequence that is re-rendered and
// re-tokenized every turn (a chat conversation), evaluating only what changed.
//
// Sync(tokens) keeps the longest prefix that `tokens` shares with what the session holds, rewinds
// the rest (Session::Truncate) and evaluates the new suffix in one batched pass. The last token is
// always evaluated, even when nothing changed, so Sync returns its logits. A sequence longer than
// the context is refused before anything changes (the cache stays as it was). Append(id) adds one
// sampled token. The session must be used only through this object while it lives.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "runtime/session.h"

namespace miaotui::runtime {

class PromptCache {
 public:
  explicit PromptCache(Session& session);  // starts empty: the session is rewound to 0

  // Errors: an empty sequence; OutOfRange "the conversation is N tokens, more than the context
  // of M tokens" when it cannot fit.
  Result<std::span<const float>> Sync(std::span<const int32_t> tokens);
  // Evaluates one more token at the end. Errors: a full context, an id outside the vocabulary.
  Result<std::span<const float>> Append(int32_t id);
  void Clear();

  const std::vector<int32_t>& tokens() const { return tokens_; }  // what the session holds
  int64_t n_ctx() const { return session_.n_ctx(); }
  int64_t last_reused() const { return last_reused_; }      // kept by the last Sync
  int64_t last_evaluated() const { return last_evaluated_; }  // evaluated by the last Sync

 private:
  Session& session_;
  std::vector<int32_t> tokens_;
  int64_t last_reused_ = 0, last_evaluated_ = 0;
};

// Length of the longest common prefix of a and b.
size_t CommonPrefix(std::span<const int32_t> a, std::span<const int32_t> b);

}  // namespace miaotui::runtime
