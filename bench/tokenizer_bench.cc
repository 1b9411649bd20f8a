// Tokenization throughput, one thread, in MB/s of input text (SetBytesProcessed): byte-level BPE
// (GPT-2), SentencePiece BPE (Llama) and WordPiece (BERT) on English prose (tinyshakespeare).
// Needs ../shared (MIAOTUI_SHARED_DIR overrides the path); skips a tokenizer whose file is absent.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "formats/gguf.h"
#include "tokenizer/tokenizer.h"

namespace {

std::string Shared(const std::string& rel) {
  const char* env = std::getenv("MIAOTUI_SHARED_DIR");
  return std::string(env ? env : MIAOTUI_SHARED_DIR) + "/" + rel;
}

const std::string& Text() {
  static const std::string text = [] {
    std::ifstream in(Shared("data/tinyshakespeare.txt"), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str().substr(0, 1 << 20);  // the first MiB
  }();
  return text;
}

void BM_Tokenize(benchmark::State& state, const char* vocab) {
  auto file = miaotui::formats::GgufFile::Open(Shared(vocab));
  if (!file.ok() || Text().empty()) {
    state.SkipWithError("needs ../shared (vocab file and data/tinyshakespeare.txt)");
    return;
  }
  auto tok = miaotui::tokenizer::LoadTokenizerFromGguf(**file);
  if (!tok.ok()) {
    state.SkipWithError(tok.status().message().c_str());
    return;
  }
  size_t n_tokens = 0;
  for (auto _ : state) {
    std::vector<int32_t> ids = (*tok)->Encode(Text(), false);
    n_tokens = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Text().size()));
  state.counters["tokens"] = static_cast<double>(n_tokens);
}

BENCHMARK_CAPTURE(BM_Tokenize, gpt2_bpe, "fixtures/tokenizer/ggml-vocab-gpt-2.gguf")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Tokenize, llama_spm, "fixtures/tokenizer/ggml-vocab-llama-spm.gguf")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Tokenize, bert_wordpiece, "fixtures/tokenizer/ggml-vocab-bert-bge.gguf")
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
