// libFuzzer target: an arbitrary chat template rendered with fixed messages. ApplyChatTemplate
// (Template::Parse, then Render) must return a Status or text within the interpreter's limits.
// The source is parsed once per input, by ApplyChatTemplate itself (parsing it first here as
// well doubled the cost of every template that parses).
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "template/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace miaotui;
  static const nlohmann::json messages = nlohmann::json::parse(R"([
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Hi <b>there</b>"},
    {"role": "assistant", "content": "Hello."},
    {"role": "user", "content": [{"type": "text", "text": "and again"}]}])");
  std::string_view source(reinterpret_cast<const char*>(data), size);
  ChatTemplateInputs in;
  in.add_generation_prompt = true;
  in.bos_token = "<s>";
  in.eos_token = "</s>";
  (void)ApplyChatTemplate(source, messages, in);
  return 0;
}
