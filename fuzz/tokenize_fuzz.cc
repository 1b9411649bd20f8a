// libFuzzer target: tokenization of arbitrary bytes by each tokenizer kind - SentencePiece BPE
// (llama), byte-level BPE (gpt-2) and WordPiece (bert), loaded once from the vocabulary GGUFs in
// ../shared/fixtures/tokenizer. The first byte picks the tokenizer and the add_special /
// parse_special flags; every id must be in range and decoding must not crash.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "formats/gguf.h"
#include "fuzz_util.h"
#include "tokenizer/tokenizer.h"

namespace {

using miaotui::tokenizer::Tokenizer;

const std::vector<std::unique_ptr<Tokenizer>>& Tokenizers() {
  static const std::vector<std::unique_ptr<Tokenizer>> all = [] {
    std::vector<std::unique_ptr<Tokenizer>> t;
    const std::string dir = miaotui::fuzz::SharedDir() + "/fixtures/tokenizer/";
    for (const char* name :
         {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf", "ggml-vocab-bert-bge.gguf"}) {
      auto gguf = miaotui::formats::GgufFile::Open(dir + name);
      if (!gguf.ok()) std::abort();  // ../shared is missing: set MIAOTUI_SHARED_DIR
      auto tok = miaotui::tokenizer::LoadTokenizerFromGguf(**gguf);
      if (!tok.ok()) std::abort();
      t.push_back(std::move(*tok));
    }
    return t;
  }();
  return all;
}

}  // namespace

// Loading the vocabularies (gpt-2's 50k merges) happens here, outside the per-input -timeout.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Tokenizers();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& toks = Tokenizers();
  const Tokenizer& tok = *toks[data[0] % toks.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<int32_t> ids = tok.Encode(text, (data[0] & 0x40) != 0, (data[0] & 0x80) != 0);
  for (int32_t id : ids) {
    if (id < 0 || id >= tok.n_vocab()) std::abort();  // an id outside the vocabulary
  }
  (void)tok.Decode(ids, (data[0] & 0x20) != 0);
  return 0;
}
