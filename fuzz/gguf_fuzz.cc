// libFuzzer target: arbitrary bytes as a .gguf file. GgufFile::Open must return a Status or a
// file whose every tensor view lies inside the mapping; the tokenizer and model loaders must then
// refuse or accept the metadata without crashing.
#include <cstddef>
#include <cstdint>

#include "formats/gguf.h"
#include "fuzz_util.h"
#include "models/model.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace miaotui;
  const std::string path = fuzz::WriteScratch(
      "input.gguf", std::string_view(reinterpret_cast<const char*>(data), size));
  auto file = formats::GgufFile::Open(path);
  if (!file.ok()) return 0;
  const formats::GgufFile& f = **file;
  uint64_t sum = 0;
  for (const auto& t : f.tensors()) {
    TensorView v = f.View(t);
    const auto* bytes = static_cast<const uint8_t*>(v.data);
    if (v.bytes() > 0) sum += bytes[0] + bytes[v.bytes() - 1];  // ASan checks the bounds
  }
  for (const auto& kv : f.metadata()) sum += kv.key.size();
  (void)f.GetStringArray("tokenizer.ggml.tokens");
  auto tok = tokenizer::LoadTokenizerFromGguf(f);
  if (tok.ok()) (void)(*tok)->Encode("Hello world <s> \xff", true, true);
  (void)models::LoadModel(path);
  return sum == 0xdeadbeef;  // keeps `sum` alive
}
