// JsonConstraint: a TokenConstraint that keeps a generation a valid JSON object (OpenAI's
// response_format {"type": "json_object"}). A token is allowed when its text keeps the output a
// prefix of a JSON object (JsonPrefix) and, with a token limit, when the object can still be
// closed in the tokens left (at least one byte per token). End-of-generation ids are allowed
// only once the object is complete, and then nothing else is. Control tokens are never allowed.
//
// JsonVocab (every token's text, built once per model and shared) is immutable and thread-safe;
// a JsonConstraint belongs to one request.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/json_prefix.h"
#include "runtime/token_constraint.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::runtime {

struct JsonVocab {
  std::vector<std::string> pieces;
  std::vector<uint8_t> kind;  // 0: text, 1: end of generation, 2: other control (never)
};
std::shared_ptr<const JsonVocab> MakeJsonVocab(const tokenizer::Tokenizer& tok);

class JsonConstraint : public TokenConstraint {
 public:
  explicit JsonConstraint(std::shared_ptr<const JsonVocab> vocab) : vocab_(std::move(vocab)) {}
  void Mask(std::span<float> logits, int64_t tokens_left) override;
  void Accept(int32_t token) override;
  const JsonPrefix& state() const { return state_; }

 private:
  std::shared_ptr<const JsonVocab> vocab_;
  JsonPrefix state_;
};

}  // namespace miaotui::runtime
