#include "models/registry.h"

#include "models/bert/bert.h"
#include "models/gpt2/gpt2.h"
#include "models/llama/llama.h"
#include "models/phi3/phi3.h"
#include "models/qwen2/qwen2.h"

namespace miaotui::models {

const std::vector<ArchitectureEntry>& Architectures() {
  static const std::vector<ArchitectureEntry> kArchitectures = {
      llama::RegistryEntry(llama::LlamaFamilyVariant()),
      llama::RegistryEntry(qwen2::Qwen2Variant()),
      llama::RegistryEntry(phi3::Phi3Variant()),
      {"gpt2", {"GPT2LMHeadModel"}, gpt2::Gpt2Model::FromGguf, gpt2::Gpt2Model::FromHfFolder,
       gpt2::Gpt2Model::FromGgufShard},
      {"bert", {"BertModel", "BertForSequenceClassification"}, bert::BertModel::FromGguf, bert::BertModel::FromHfFolder, nullptr},
  };
  return kArchitectures;
}

}  // namespace miaotui::models
