// LoadModel: recognises a GGUF file or a Hugging Face folder and dispatches to the registered
// architecture.
#include <filesystem>

#include "base/check.h"
#include "base/mmap_file.h"
#include "models/registry.h"

namespace miaotui::models {
namespace {

std::string SupportedList(bool hf) {
  std::string s;
  for (const auto& a : Architectures()) {
    if (hf) {
      for (const auto& n : a.hf_names) s += (s.empty() ? "" : ", ") + n;
    } else {
      s += (s.empty() ? "" : ", ") + a.gguf_name;
    }
  }
  return s;
}

}  // namespace

Result<std::string> ReadHfArchitecture(const std::string& dir);  // model_loader_hf.cc

EncoderGraph Model::BuildEncoder(int64_t, int64_t, ops::PoolMode) const {
  CHECK(false && "BuildEncoder called on a decoder model");
  return {};
}

Result<std::unique_ptr<Model>> LoadModel(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound(path + ": no such file or folder");
  if (std::filesystem::is_directory(path, ec)) {
    MT_ASSIGN_OR_RETURN(std::string arch, ReadHfArchitecture(path));
    for (const auto& a : Architectures()) {
      for (const auto& n : a.hf_names) {
        if (n == arch) return a.from_hf(path);
      }
    }
    return Unimplemented(path + "/config.json: architecture '" + arch +
                         "' is not supported (supported: " + SupportedList(true) + ")");
  }
  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::GgufFile> file, formats::GgufFile::Open(path));
  std::shared_ptr<const formats::GgufFile> gguf(std::move(file));
  MT_ASSIGN_OR_RETURN(std::string arch, gguf->GetString("general.architecture"));
  for (const auto& a : Architectures()) {
    if (a.gguf_name == arch) return a.from_gguf(gguf);
  }
  return Unimplemented(path + ": general.architecture is '" + arch +
                       "', which is not supported (supported: " + SupportedList(false) + ")");
}

}  // namespace miaotui::models
