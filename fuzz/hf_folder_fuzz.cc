// libFuzzer target: a Hugging Face folder with fuzzed config.json and model.safetensors (the
// input is config.json, the line "#safetensors#", then the safetensors bytes) beside the fixed
// tokenizer of ../shared/models/stories260K-hf. SafetensorsFile::Open and LoadModel(folder) must
// return a Status or a model; never crash or read outside the mapping.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "formats/safetensors.h"
#include "fuzz_util.h"
#include "models/model.h"

namespace {

const std::string& Folder() {
  static const std::string dir = [] {
    std::string d = miaotui::fuzz::ScratchDir() + "/hf";
    std::filesystem::create_directories(d);
    const std::string src = miaotui::fuzz::SharedDir() + "/models/stories260K-hf/";
    for (const char* name : {"tokenizer.json", "tokenizer_config.json"}) {
      std::filesystem::copy_file(src + name, d + "/" + name,
                                 std::filesystem::copy_options::overwrite_existing);
    }
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Folder();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace miaotui;
  auto [config, st] = fuzz::SplitAt(
      std::string_view(reinterpret_cast<const char*>(data), size), "\n#safetensors#\n");
  const std::string& dir = Folder();
  fuzz::WriteScratch("hf/config.json", config);
  const std::string st_path = fuzz::WriteScratch("hf/model.safetensors", st);
  uint64_t sum = 0;
  if (auto f = formats::SafetensorsFile::Open(st_path); f.ok()) {
    for (const auto& t : (*f)->tensors()) {
      auto bytes = (*f)->Bytes(t);
      if (!bytes.empty()) sum += bytes.front() + bytes.back();  // ASan checks the bounds
      (void)(*f)->View(t);
    }
  }
  (void)models::LoadModel(dir);
  return sum == 0xdeadbeef;
}
