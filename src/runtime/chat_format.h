// ChatFormat: a model's chat template with its BOS/EOS strings, rendering a conversation into
// prompt text and ids the way transformers' apply_chat_template does, plus the template's
// end-of-turn text.
//
// Tokenize: special-token strings in the rendered text become their ids (parse_special); no
// special token is added, except a BOS when the vocabulary adds one (add_bos) and the rendered
// text does not already start with it (templates that print bos_token themselves get one BOS).
// EndOfTurn(): what the template writes after an assistant message before the next turn,
// whitespace trimmed, e.g. "<|im_end|>", "<end_of_turn>", "<|end|>" or "</s>". It is found by
// rendering probe conversations (the reply last, and followed by a user turn) and taking the
// common start of the text after the reply; "" when there is none or the probes cannot render.
// Chat stops generation at it as text (needed when it is not a single end-of-generation token).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::runtime {

class ChatFormat {
 public:
  // Errors: a template that does not parse ("template line N: ...").
  static Result<ChatFormat> Create(std::string tmpl, std::optional<std::string> bos_token,
                                   std::optional<std::string> eos_token);

  Result<std::string> Render(const nlohmann::json& messages, bool add_generation_prompt) const;
  std::vector<int32_t> Tokenize(const tokenizer::Tokenizer& tok, std::string_view text) const;
  const std::string& EndOfTurn() const { return end_of_turn_; }

 private:
  ChatFormat() = default;
  std::string FindEndOfTurn() const;

  std::string tmpl_;
  std::optional<std::string> bos_, eos_;
  std::string end_of_turn_;
};

}  // namespace miaotui::runtime
