#include "models/registry.h"

#include "models/bert/bert.h"
#include "models/gpt2/gpt2.h"
#include "models/llama/llama.h"

namespace miaotui::models {

const std::vector<ArchitectureEntry>& Architectures() {
  static const std::vector<ArchitectureEntry> kArchitectures = {
      {"llama", {"LlamaForCausalLM"}, llama::LlamaModel::FromGguf, llama::LlamaModel::FromHfFolder},
      {"gpt2", {"GPT2LMHeadModel"}, gpt2::Gpt2Model::FromGguf, gpt2::Gpt2Model::FromHfFolder},
      {"bert", {"BertModel"}, bert::BertModel::FromGguf, bert::BertModel::FromHfFolder},
  };
  return kArchitectures;
}

}  // namespace miaotui::models
