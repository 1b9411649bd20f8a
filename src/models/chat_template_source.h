// ChatTemplateSource: a model's own chat template and the special-token strings it is rendered
// with, read from metadata only (no weights are loaded, so a vocab-only GGUF works).
//
// GGUF: tokenizer.chat_template; bos/eos are tokenizer.ggml.tokens[tokenizer.ggml.bos_token_id /
// eos_token_id]. Hugging Face folder: tokenizer_config.json "chat_template" (a string, or a list
// of {"name", "template"} of which "default" is taken), else chat_template.jinja, else
// chat_template.json {"chat_template": ...}; bos_token / eos_token as a string or an AddedToken
// object {"content": ...}. A model without a template is not an error here (chat_template is
// nullopt); a template or token of the wrong type is, naming the file and the field.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"

namespace miaotui::models {

struct ChatTemplateSource {
  std::optional<std::string> chat_template;  // nullopt: the model declares none
  std::optional<std::string> bos_token;      // nullopt: the model has no such token
  std::optional<std::string> eos_token;
  std::string origin;  // where the template was looked for, e.g. "m.gguf: tokenizer.chat_template"
};

// `model_path`: a GGUF file or a Hugging Face folder.
Result<ChatTemplateSource> ReadChatTemplateSource(const std::string& model_path);

}  // namespace miaotui::models
