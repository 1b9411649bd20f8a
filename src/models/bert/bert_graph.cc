// The BERT encoder pass over a packed batch of sequences.
#include <cmath>

#include "base/check.h"
#include "models/bert/bert.h"

namespace miaotui::models::bert {

ForwardGraph BertModel::BuildForward(const ForwardShape&) const {
  CHECK(false && "BERT is an encoder: use BuildEncoder");
  return {};
}

EncoderGraph BertModel::BuildEncoder(int64_t n_tokens, int64_t n_seqs, ops::PoolMode pool) const {
  const BertConfig& c = config_;
  const BertWeights& w = weights_;
  graph::GraphBuilder g;
  EncoderGraph eg;
  eg.n_tokens = n_tokens;
  eg.n_seqs = n_seqs;
  eg.tokens = g.Input("tokens", DType::kI32, n_tokens);
  eg.positions = g.Input("positions", DType::kI32, n_tokens);
  eg.token_types = g.Input("token_types", DType::kI32, n_tokens);
  eg.seg_begin = g.Input("seg_begin", DType::kI32, n_tokens);
  eg.seg_end = g.Input("seg_end", DType::kI32, n_tokens);
  eg.pool_starts = g.Input("pool_starts", DType::kI32, n_seqs + 1);
  const int64_t hd = c.n_embd / c.n_head;
  const ops::AttentionParams attn{.n_head = c.n_head, .n_head_kv = c.n_head, .head_dim = hd,
                                  .scale = 1.0f / std::sqrt(static_cast<float>(hd))};

  graph::Tensor x = g.Add(g.Embedding(w.tok_embd, eg.tokens), g.Embedding(w.type_embd, eg.token_types));
  x = g.Add(x, g.Embedding(w.pos_embd, eg.positions));
  x = g.LayerNorm(x, w.emb_ln_w, w.emb_ln_b, c.ln_eps);
  for (const BertLayer& L : w.layers) {
    graph::Tensor q = g.Linear(x, L.wq, L.bq);
    graph::Tensor k = g.Linear(x, L.wk, L.bk);
    graph::Tensor v = g.Linear(x, L.wv, L.bv);
    graph::Tensor a = g.AttendSegments(q, k, v, eg.seg_begin, eg.seg_end, attn, /*causal=*/false);
    x = g.LayerNorm(g.Add(x, g.Linear(a, L.wo, L.bo)), L.ln1_w, L.ln1_b, c.ln_eps);
    graph::Tensor h = g.Gelu(g.Linear(x, L.w_up, L.b_up), c.gelu_tanh);
    x = g.LayerNorm(g.Add(x, g.Linear(h, L.w_down, L.b_down)), L.ln2_w, L.ln2_b, c.ln_eps);
  }
  eg.hidden = g.Named(x, "hidden");
  eg.pooled = g.Named(g.Pool(x, eg.pool_starts, n_seqs, pool), "pooled");
  g.MarkOutput(eg.hidden);
  g.MarkOutput(eg.pooled);
  if (w.cls_w.valid()) {
    // BertForSequenceClassification: the [CLS] row through the pooler, then the classifier.
    graph::Tensor cls = g.Pool(x, eg.pool_starts, n_seqs, ops::PoolMode::kCls);
    if (w.pooler_w.valid()) cls = g.Tanh(g.Linear(cls, w.pooler_w, w.pooler_b));
    eg.class_logits = g.Named(g.Linear(cls, w.cls_w, w.cls_b), "class_logits");
    g.MarkOutput(eg.class_logits);
  }
  eg.graph = g.Finish();
  return eg;
}

}  // namespace miaotui::models::bert
