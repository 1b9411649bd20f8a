// BERT encoders: word + position + token-type embeddings, LayerNorm, post-LayerNorm blocks with
// bidirectional attention and a GELU MLP; pooled by the model's declared mode (mean, CLS, last).
// From GGUF (`bert.*`, as llama.cpp's converter writes it) or a Hugging Face BertModel folder
// (with sentence-transformers' 1_Pooling/config.json when present).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "models/model.h"
#include "models/weight_source.h"

namespace miaotui::models::bert {

struct BertConfig {
  int64_t n_vocab = 0, n_embd = 0, n_ff = 0, n_layer = 0, n_head = 0, n_ctx_train = 0;
  int64_t n_token_types = 2;
  float ln_eps = 1e-12f;
  bool gelu_tanh = false;  // false: exact (erf) GELU, as BERT's "gelu"
};

struct BertLayer {
  TensorView wq, bq, wk, bk, wv, bv;  // (n_embd, n_embd), (n_embd)
  TensorView wo, bo;                  // (n_embd, n_embd), (n_embd)
  TensorView ln1_w, ln1_b;            // after attention
  TensorView w_up, b_up;              // (n_embd, n_ff), (n_ff)
  TensorView w_down, b_down;          // (n_ff, n_embd), (n_embd)
  TensorView ln2_w, ln2_b;            // after the MLP
};

struct BertWeights {
  TensorView tok_embd;   // (n_embd, n_vocab)
  TensorView pos_embd;   // (n_embd, n_ctx_train)
  TensorView type_embd;  // (n_embd, n_token_types)
  TensorView emb_ln_w, emb_ln_b;
  std::vector<BertLayer> layers;
  // Sequence-classification head (optional): CLS -> pooler (dense + tanh) -> classifier.
  TensorView pooler_w, pooler_b;  // (n_embd, n_embd), (n_embd)
  TensorView cls_w, cls_b;        // (n_embd, n_labels), (n_labels)
};

class BertModel : public Model {
 public:
  ForwardGraph BuildForward(const ForwardShape& shape) const override;
  EncoderGraph BuildEncoder(int64_t n_tokens, int64_t n_seqs, ops::PoolMode pool) const override;

  static Result<std::unique_ptr<Model>> FromGguf(std::shared_ptr<const formats::GgufFile> gguf);
  static Result<std::unique_ptr<Model>> FromHfFolder(const std::string& dir);

 private:
  void FillInfo(const std::string& path, const std::string& format);
  BertConfig config_;
  BertWeights weights_;
};

}  // namespace miaotui::models::bert
