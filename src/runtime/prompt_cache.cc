#include "runtime/prompt_cache.h"

#include <algorithm>
#include <string>

namespace miaotui::runtime {

size_t CommonPrefix(std::span<const int32_t> a, std::span<const int32_t> b) {
  size_t n = std::min(a.size(), b.size()), i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

PromptCache::PromptCache(Session& session) : session_(session) { session_.Truncate(0); }

void PromptCache::Clear() {
  session_.Truncate(0);
  tokens_.clear();
}

Result<std::span<const float>> PromptCache::Sync(std::span<const int32_t> tokens) {
  if (tokens.empty()) return InvalidArgument("cannot evaluate an empty conversation");
  const int64_t n = static_cast<int64_t>(tokens.size());
  if (n > session_.n_ctx()) {
    return OutOfRange("the conversation is " + std::to_string(n) +
                      " tokens, more than the context of " + std::to_string(session_.n_ctx()) +
                      " tokens");
  }
  // Keep at most n - 1 tokens so the last one is evaluated and gives logits.
  const size_t keep = std::min(CommonPrefix(tokens_, tokens), tokens.size() - 1);
  session_.Truncate(static_cast<int64_t>(keep));
  tokens_.resize(keep);
  auto suffix = tokens.subspan(keep);
  auto logits = session_.Decode(suffix, false);
  if (!logits.ok()) {
    tokens_.resize(keep);
    session_.Truncate(static_cast<int64_t>(keep));
    return logits.status();
  }
  tokens_.insert(tokens_.end(), suffix.begin(), suffix.end());
  last_reused_ = static_cast<int64_t>(keep);
  last_evaluated_ = static_cast<int64_t>(suffix.size());
  return logits;
}

Result<std::span<const float>> PromptCache::Append(int32_t id) {
  MT_ASSIGN_OR_RETURN(auto logits, session_.Decode(std::span<const int32_t>(&id, 1), false));
  tokens_.push_back(id);
  return logits;
}

}  // namespace miaotui::runtime
