#include "runtime/json_constraint.h"

#include <limits>

namespace miaotui::runtime {

std::shared_ptr<const JsonVocab> MakeJsonVocab(const tokenizer::Tokenizer& tok) {
  auto v = std::make_shared<JsonVocab>();
  auto& pieces = v->pieces;
  auto& kind = v->kind;
  const int32_t n = tok.n_vocab();
  pieces.resize(n);
  kind.resize(n, 0);
  for (int32_t i = 0; i < n; ++i) {
    if (tok.IsEndOfGeneration(i)) {
      kind[i] = 1;
    } else if (tok.IsControl(i)) {
      kind[i] = 2;
    } else {
      pieces[i] = tok.TokenToPiece(i);
      if (pieces[i].empty()) kind[i] = 2;
    }
  }
  return v;
}

void JsonConstraint::Mask(std::span<float> logits, int64_t tokens_left) {
  constexpr float kNo = -std::numeric_limits<float>::infinity();
  const size_t n = std::min(logits.size(), vocab_->pieces.size());
  for (size_t i = n; i < logits.size(); ++i) logits[i] = kNo;
  const bool done = state_.complete();
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    bool ok = false;
    if (vocab_->kind[i] == 1) {
      ok = done;
    } else if (vocab_->kind[i] == 0 && !done) {
      JsonPrefix next = state_;
      ok = next.Push(vocab_->pieces[i]);
      // After this token, tokens_left - 1 remain, each able to add at least one byte.
      if (ok && tokens_left > 0) ok = next.MinCompletion() <= tokens_left - 1;
    }
    if (!ok) {
      logits[i] = kNo;
    } else {
      any = true;
    }
  }
  if (!any) {
    // Nothing fits (a vocabulary without the needed one-byte tokens): let it end.
    for (size_t i = 0; i < n; ++i) {
      if (vocab_->kind[i] == 1) logits[i] = 0;
    }
  }
}

void JsonConstraint::Accept(int32_t token) {
  if (token >= 0 && static_cast<size_t>(token) < vocab_->pieces.size() &&
      vocab_->kind[token] == 0) {
    state_.Push(vocab_->pieces[token]);
  }
}

}  // namespace miaotui::runtime
