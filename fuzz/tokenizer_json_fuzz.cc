// libFuzzer target: arbitrary bytes as tokenizer.json. LoadTokenizerFromHfFolder must return a
// Status or a tokenizer that encodes and decodes a fixed text without crashing.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace miaotui;
  fuzz::WriteScratch("tokenizer.json",
                     std::string_view(reinterpret_cast<const char*>(data), size));
  auto tok = tokenizer::LoadTokenizerFromHfFolder(fuzz::ScratchDir());
  if (!tok.ok()) return 0;
  std::vector<int32_t> ids =
      (*tok)->Encode("Hello, world! <s> 123 \xc3\xa9t\xc3\xa9 \xff", true, true);
  (void)(*tok)->Decode(ids);
  for (int32_t id : {-1, 0, (*tok)->n_vocab() - 1, (*tok)->n_vocab()}) {
    (void)(*tok)->IsEndOfGeneration(id);
  }
  return 0;
}
