// Synthetic models: random weights in the exact shape of a named real model, with a working
// tokenizer, for tests and benchmarks (`miaotui synth`). Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "tensor/dtype.h"

namespace miaotui::formats {
class GgufFile;
class GgufWriter;
}  // namespace miaotui::formats

namespace miaotui::tokenizer {
struct Vocab;
}  // namespace miaotui::tokenizer

namespace miaotui::models {

struct SynthShape {
  std::string name;
  std::string arch;  // "llama"
  int64_t n_embd, n_ff, n_layer, n_head, n_head_kv, n_vocab, n_ctx;
};

// The named shapes (tinyllama-1.1b, llama-125m, tiny, ...).
const std::vector<SynthShape>& SynthShapes();

struct SynthOptions {
  std::string shape;
  DType dtype = DType::kF16;  // 2-D weights; norms are F32
  uint64_t seed = 42;
  // Copy the tokenizer.* metadata from this GGUF instead of generating a vocabulary; its size
  // must equal the shape's vocabulary.
  const formats::GgufFile* vocab_from = nullptr;
};

// Writes `vocab` as GGUF tokenizer.ggml.* metadata (model, tokens, scores, types, specials).
void AddVocabMetadata(formats::GgufWriter& w, const tokenizer::Vocab& vocab);

// Writes the model to `path` atomically.
Status WriteSynthModel(const SynthOptions& options, const std::string& path);

}  // namespace miaotui::models
