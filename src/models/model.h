// Model: a loaded model of any registered architecture, ready to describe its forward pass as a
// graph. It owns the mapped weight files, the tokenizer, and any weights converted at load.
//
// LoadModel(path) accepts a GGUF file or a Hugging Face folder (config.json + safetensors +
// tokenizer files) and picks the architecture from models/registry.cc. Errors name the file and
// the field or tensor. A Model is immutable after loading and may be shared by sessions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "graph/graph.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::models {

// What `miaotui info` prints and what sessions size their caches from.
struct ModelInfo {
  std::string arch;         // registry name, e.g. "llama"
  std::string path;         // file or folder it was loaded from
  std::string format;       // "gguf" or "hf"
  int64_t n_vocab = 0;
  int64_t n_ctx_train = 0;
  int64_t n_layer = 0;
  int64_t kv_dim = 0;       // K (and V) values per token per layer
  int64_t n_params = 0;
  int64_t weight_bytes = 0;
  std::vector<std::pair<std::string, std::string>> hparams;  // printable
  std::vector<std::pair<std::string, int64_t>> tensor_types;  // "F32" -> count
};

// One forward pass over n_tokens new tokens: fill `tokens` and `positions` (n_tokens each) and
// `out_rows` (n_outputs row indices into the batch); `logits` is [n_outputs, n_vocab].
struct ForwardGraph {
  graph::Graph graph;
  graph::Tensor tokens, positions, out_rows, logits;
  int64_t n_tokens = 0, n_outputs = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual ForwardGraph BuildForward(int64_t n_tokens, int64_t n_outputs) const = 0;

  const ModelInfo& info() const { return info_; }
  const tokenizer::Tokenizer& tokenizer() const { return *tokenizer_; }

 protected:
  ModelInfo info_;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
};

// Loads a GGUF file or a Hugging Face folder.
Result<std::unique_ptr<Model>> LoadModel(const std::string& path);

}  // namespace miaotui::models
