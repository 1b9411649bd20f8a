#include "template/template.h"

#include "template/interpreter.h"
#include "template/json_value.h"
#include "template/lexer.h"
#include "template/parser.h"

namespace miaotui {

struct Template::Impl {
  tmpl::NodeList program;
};

Template::Template() : impl_(std::make_unique<Impl>()) {}
Template::~Template() = default;

Result<std::unique_ptr<Template>> Template::Parse(std::string_view source) {
  MT_ASSIGN_OR_RETURN(std::vector<tmpl::Token> tokens, tmpl::Tokenize(source));
  MT_ASSIGN_OR_RETURN(tmpl::NodeList program, tmpl::Parse(tokens));
  std::unique_ptr<Template> t(new Template());
  t->impl_->program = std::move(program);
  return t;
}

Result<std::string> Template::Render(const nlohmann::json& context) const {
  if (!context.is_object()) return InvalidArgument("template context must be a JSON object");
  tmpl::Scope globals;
  tmpl::InstallGlobals(&globals);
  for (auto it = context.begin(); it != context.end(); ++it) {
    MT_ASSIGN_OR_RETURN(tmpl::Value v, tmpl::FromJson(it.value()));
    globals.vars[it.key()] = std::move(v);
  }
  tmpl::Interpreter interpreter;
  return interpreter.Render(impl_->program, &globals);
}

Result<std::string> ApplyChatTemplate(std::string_view tmpl, const nlohmann::json& messages,
                                      const ChatTemplateInputs& inputs) {
  MT_ASSIGN_OR_RETURN(std::unique_ptr<Template> t, Template::Parse(tmpl));
  nlohmann::json context = inputs.extra.is_object() ? inputs.extra : nlohmann::json::object();
  context["messages"] = messages;
  context["bos_token"] = inputs.bos_token ? nlohmann::json(*inputs.bos_token) : nlohmann::json();
  context["eos_token"] = inputs.eos_token ? nlohmann::json(*inputs.eos_token) : nlohmann::json();
  context["add_generation_prompt"] = inputs.add_generation_prompt;
  if (!context.contains("tools")) context["tools"] = nullptr;
  if (!context.contains("documents")) context["documents"] = nullptr;
  return t->Render(context);
}

Result<std::string> ApplyChatTemplate(std::string_view tmpl, const nlohmann::json& messages,
                                      bool add_generation_prompt, const std::string& bos_token,
                                      const std::string& eos_token) {
  ChatTemplateInputs inputs;
  inputs.add_generation_prompt = add_generation_prompt;
  inputs.bos_token = bos_token;
  inputs.eos_token = eos_token;
  return ApplyChatTemplate(tmpl, messages, inputs);
}

}  // namespace miaotui
