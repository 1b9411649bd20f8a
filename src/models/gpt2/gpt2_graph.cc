// The GPT-2 forward pass.
#include <cmath>

#include "models/common/decoder_inputs.h"
#include "models/common/shard.h"

#include "models/gpt2/gpt2.h"

namespace miaotui::models::gpt2 {

ForwardGraph Gpt2Model::BuildForward(const ForwardShape& shape) const {
  const Gpt2Config& c = config_;
  const Gpt2Weights& w = weights_;
  graph::GraphBuilder g;
  ForwardGraph fg;
  AddDecoderInputs(g, shape, &fg);
  // n_head is this shard's heads (tensor parallelism); n_embd stays whole.
  const int64_t hd = c.n_embd / (c.n_head * shard_.tp_size);
  const ops::AttentionParams attn{.n_head = c.n_head, .n_head_kv = c.n_head, .head_dim = hd,
                                  .scale = 1.0f / std::sqrt(static_cast<float>(hd))};

  const int64_t begin = layer_begin_, end = layer_end_ < 0 ? c.n_layer : layer_end_;
  graph::Tensor x;
  if (shard_.first_stage()) {
    x = g.Add(g.Embedding(w.tok_embd, fg.tokens), g.Embedding(w.pos_embd, fg.kv.positions));
  } else {
    x = StageInput(g, c.n_embd, &fg);
  }
  for (int64_t l = begin; l < end; ++l) {
    const Gpt2Layer& L = w.layers[l];
    graph::Tensor h = g.LayerNorm(x, L.ln1_w, L.ln1_b, c.ln_eps);
    graph::Tensor q = g.Linear(h, L.wq, L.bq);
    graph::Tensor k = g.Linear(h, L.wk, L.bk);
    graph::Tensor v = g.Linear(h, L.wv, L.bv);
    graph::Tensor a = g.Attention(q, k, v, fg.kv, attn, static_cast<int>(l - begin));
    // Under tensor parallelism the biases are added once, after the sum of the partial products.
    x = g.Add(x, g.AddRow(TpReduce(g, g.MatMul(a, L.wo)), L.bo));
    h = g.LayerNorm(x, L.ln2_w, L.ln2_b, c.ln_eps);
    h = g.Gelu(g.Linear(h, L.w_up, L.b_up), /*tanh_form=*/true);
    x = g.Add(x, g.AddRow(TpReduce(g, g.MatMul(h, L.w_down)), L.b_down));
  }
  if (FinishEarlyStage(g, x, shard_, &fg)) return fg;
  x = g.SelectRows(x, fg.out_rows);
  x = g.LayerNorm(x, w.lnf_w, w.lnf_b, c.ln_eps);
  fg.logits = g.Named(g.MatMul(x, w.output), "logits");
  g.MarkOutput(fg.logits);
  fg.graph = g.Finish();
  return fg;
}

}  // namespace miaotui::models::gpt2
