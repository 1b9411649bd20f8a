// DecoderEmbedder: embeddings from a decoder (text-generation) model, for /v1/embeddings.
//
// Pooling: the LAST TOKEN's final hidden state (after the output norm, the input of the
// language-model head), L2-normalized. A causal model's last position is the only one that has
// attended to the whole input, which is why decoder embedding models (e5-mistral, gte-Qwen)
// pool that way and why llama.cpp offers `--pooling last` for them. A model not trained for
// embeddings still gives a usable, deterministic vector; its quality is the model's.
//
// Each input runs alone through a private runtime::Session (its own KV cache of n_ctx tokens,
// reset per input). Inputs of 0 tokens or more than n_ctx tokens are refused, naming the
// input. Not thread-safe: one thread drives it (the server holds a mutex).
#pragma once

#include <memory>
#include <vector>

#include "base/status.h"
#include "models/model.h"
#include "runtime/session.h"

namespace miaotui::runtime {

class DecoderEmbedder {
 public:
  // REQUIRES: !model.info().is_encoder.
  static Result<std::unique_ptr<DecoderEmbedder>> Create(const models::Model& model,
                                                         int n_threads, int64_t n_ctx);
  // One vector of n_embd floats per input, L2-normalized.
  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::vector<int32_t>>& inputs);

 private:
  DecoderEmbedder() = default;
  std::unique_ptr<Session> session_;
  std::vector<float> last_hidden_;  // the LM head's input row of the last forward pass
  int64_t n_embd_ = 0;
};

}  // namespace miaotui::runtime
