// libFuzzer target: a Hugging Face folder with fuzzed config.json and model.safetensors (the
// input is config.json, the line "#safetensors#", then the safetensors bytes) beside a fixed,
// minimal SentencePiece-BPE tokenizer.json (6 tokens, 1 merge) and tokenizer_config.json.
// SafetensorsFile::Open and LoadModel(folder) must return a Status or a model; never crash or read
// outside the mapping. The tokenizer is deliberately tiny: it is not what this target fuzzes
// (tokenizer_json_fuzz does), and parsing the 512-token stories260K tokenizer.json for every
// input took about 80% of the time under ASan. Its 6 tokens fit any config's vocab_size >= 6.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "formats/safetensors.h"
#include "fuzz_util.h"
#include "models/model.h"

namespace {

constexpr char kTokenizerJson[] = R"({"version": "1.0",
 "added_tokens": [{"id": 0, "content": "<unk>", "special": true},
                  {"id": 1, "content": "<s>", "special": true},
                  {"id": 2, "content": "</s>", "special": true}],
 "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
   {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
 "pre_tokenizer": null,
 "decoder": {"type": "Sequence", "decoders": [
   {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"},
   {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
 "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": true,
   "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "\u2581": 3, "a": 4, "\u2581a": 5},
   "merges": ["\u2581 a"]}})";
constexpr char kTokenizerConfig[] =
    R"({"add_bos_token": true, "add_eos_token": false, "bos_token": "<s>", "eos_token": "</s>",
 "unk_token": "<unk>", "tokenizer_class": "LlamaTokenizer"})";

const std::string& Folder() {
  static const std::string dir = [] {
    std::string d = miaotui::fuzz::ScratchDir() + "/hf";
    std::filesystem::create_directories(d);
    miaotui::fuzz::WriteScratch("hf/tokenizer.json", kTokenizerJson);
    miaotui::fuzz::WriteScratch("hf/tokenizer_config.json", kTokenizerConfig);
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
