// The one list of architectures. Adding one means a folder under models/ and a row here.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "models/model.h"

namespace miaotui::models {

struct ArchitectureEntry {
  std::string gguf_name;                    // general.architecture
  std::vector<std::string> hf_names;        // config.json "architectures"
  std::function<Result<std::unique_ptr<Model>>(std::shared_ptr<const formats::GgufFile>)>
      from_gguf;
  std::function<Result<std::unique_ptr<Model>>(const std::string& dir)> from_hf;
  // A shard for tensor / pipeline parallelism (null: the architecture runs whole only).
  std::function<Result<std::unique_ptr<Model>>(std::shared_ptr<const formats::GgufFile>,
                                               const Shard&)>
      from_gguf_shard;
  // The same from a Hugging Face folder (views of the mapped safetensors: a shard's pages only).
  std::function<Result<std::unique_ptr<Model>>(const std::string& dir, const Shard&)>
      from_hf_shard;
};

const std::vector<ArchitectureEntry>& Architectures();

}  // namespace miaotui::models
