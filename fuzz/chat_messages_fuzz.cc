// libFuzzer target: fuzzed messages (JSON) through the real chat templates of
// ../shared/fixtures/chat-templates. The first byte picks the template and add_generation_prompt;
// the rest is the messages JSON. Rendering must return a Status or text, never crash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_util.h"
#include "template/template.h"

namespace {

const std::vector<std::string>& Templates() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> t;
    const std::string dir = miaotui::fuzz::SharedDir() + "/fixtures/chat-templates";
    std::vector<std::filesystem::path> paths;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".jinja") paths.push_back(e.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      t.push_back(ss.str());
    }
    if (t.empty()) std::abort();  // ../shared is missing: set MIAOTUI_SHARED_DIR
    return t;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Templates();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace miaotui;
  if (size < 1) return 0;
  const auto& templates = Templates();
  const std::string& tmpl = templates[data[0] % templates.size()];
  nlohmann::json messages = nlohmann::json::parse(data + 1, data + size, nullptr, false);
  if (messages.is_discarded()) return 0;
  ChatTemplateInputs in;
  in.add_generation_prompt = (data[0] & 0x80) != 0;
  in.bos_token = "<s>";
  in.eos_token = "</s>";
  (void)ApplyChatTemplate(tmpl, messages, in);
  return 0;
}
