// libFuzzer target: an arbitrary chat template rendered with fixed messages. Template::Parse and
// ApplyChatTemplate must return a Status or text within the interpreter's limits.
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
  auto tmpl = Template::Parse(source);
  if (!tmpl.ok()) return 0;
  ChatTemplateInputs in;
  in.add_generation_prompt = true;
  in.bos_token = "<s>";
  in.eos_token = "</s>";
  (void)ApplyChatTemplate(source, messages, in);
  return 0;
}
