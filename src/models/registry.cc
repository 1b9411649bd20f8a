#include "models/registry.h"

#include "models/llama/llama.h"

namespace miaotui::models {

const std::vector<ArchitectureEntry>& Architectures() {
  static const std::vector<ArchitectureEntry> kArchitectures = {
      {"llama", {"LlamaForCausalLM"}, llama::LlamaModel::FromGguf, llama::LlamaModel::FromHfFolder},
  };
  return kArchitectures;
}

}  // namespace miaotui::models
