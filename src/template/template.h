// Chat templates: a Jinja-subset interpreter that renders a model's chat template exactly as
// Hugging Face's apply_chat_template does (Jinja with trim_blocks and lstrip_blocks; the
// reference is @huggingface/jinja 0.5.11, see tests/template for the fixtures).
//
// Errors: a template that cannot be parsed or rendered gives an InvalidArgument Status
// "template line N: <what>" naming the construct ("unknown filter 'frobnicate'"); resource
// limits give ResourceExhausted with the same prefix. A template that calls
// raise_exception(msg) fails with exactly `msg` (no prefix), as the reference raises it.
// Nothing throws; no input crashes or hangs (see interpreter.h for the limits).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace miaotui::tmpl {
struct Node;
}

namespace miaotui {

class Template {
 public:
  ~Template();
  Template(const Template&) = delete;
  Template& operator=(const Template&) = delete;

  // Parses `source` (the exact template text, e.g. tokenizer.chat_template).
  static Result<std::unique_ptr<Template>> Parse(std::string_view source);

  // Renders with `context` (a JSON object; its keys become template variables).
  Result<std::string> Render(const nlohmann::json& context) const;

 private:
  Template();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ChatTemplateInputs {
  bool add_generation_prompt = false;
  std::optional<std::string> bos_token;  // nullopt renders as none (Qwen has no BOS)
  std::optional<std::string> eos_token;
  nlohmann::json extra = nlohmann::json::object();  // more variables (tools, date_string, ...)
};

// Renders `tmpl` the way transformers' apply_chat_template does: variables messages,
// bos_token, eos_token, add_generation_prompt, tools = none, documents = none, plus `extra`.
Result<std::string> ApplyChatTemplate(std::string_view tmpl, const nlohmann::json& messages,
                                      const ChatTemplateInputs& inputs);
Result<std::string> ApplyChatTemplate(std::string_view tmpl, const nlohmann::json& messages,
                                      bool add_generation_prompt, const std::string& bos_token,
                                      const std::string& eos_token);

}  // namespace miaotui
