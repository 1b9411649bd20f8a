// miaotui template: render a chat template for a JSON list of messages and print the prompt
// exactly (no newline added). The template and BOS/EOS strings come from the model (-m) unless
// --template / --bos-token / --eos-token say otherwise; with --template alone there are no
// BOS/EOS strings (they render as none). A template that raises exits 1 with its message.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "args.h"
#include "base/mmap_file.h"
#include "commands.h"
#include "formats/json_file.h"
#include "models/chat_template_source.h"
#include "template/template.h"

namespace miaotui::cli {

int TemplateCommand(int argc, char** argv) {
  std::string model_path, template_path, messages_path, bos, eos;
  bool add_generation_prompt = false;
  ArgParser p("miaotui template",
              "Render a chat template for the messages in FILE.json and print the prompt.");
  p.Option("model", "m", &model_path, "PATH", "take the template and BOS/EOS from this model");
  p.Option("template", "", &template_path, "FILE", "a Jinja chat template file");
  p.Option("messages", "", &messages_path, "FILE.json",
           "a JSON list of {\"role\": ..., \"content\": ...}");
  p.Flag("add-generation-prompt", "", &add_generation_prompt,
         "end with the start of an assistant turn");
  p.Option("bos-token", "", &bos, "S", "the bos_token string (default: the model's)");
  p.Option("eos-token", "", &eos, "S", "the eos_token string (default: the model's)");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (model_path.empty() == template_path.empty()) {
    return Fail(InvalidArgument("give exactly one of -m MODEL or --template FILE"));
  }
  if (messages_path.empty()) return Fail(InvalidArgument("no messages given (use --messages)"));

  ChatTemplateInputs inputs;
  inputs.add_generation_prompt = add_generation_prompt;
  std::string source;
  if (!model_path.empty()) {
    auto src = models::ReadChatTemplateSource(model_path);
    if (!src.ok()) return Fail(src.status());
    if (!src->chat_template) {
      return Fail(NotFound(src->origin + " is absent: the model has no chat template "
                           "(use --template FILE)"));
    }
    source = *src->chat_template;
    inputs.bos_token = src->bos_token;
    inputs.eos_token = src->eos_token;
  } else {
    auto text = ReadFileToString(template_path);
    if (!text.ok()) return Fail(text.status());
    source = std::move(*text);
  }
  if (p.WasSet("bos-token")) inputs.bos_token = bos;
  if (p.WasSet("eos-token")) inputs.eos_token = eos;

  auto messages = formats::ReadJsonFile(messages_path);
  if (!messages.ok()) return Fail(messages.status());
  if (!messages->is_array()) {
    return Fail(InvalidArgument(messages_path + ": expected a JSON list of messages, found " +
                                formats::JsonDescribe(*messages)));
  }
  auto prompt = ApplyChatTemplate(source, *messages, inputs);
  if (!prompt.ok()) return Fail(prompt.status());
  std::fwrite(prompt->data(), 1, prompt->size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : Fail(IoError("cannot write to stdout"));
}

}  // namespace miaotui::cli
