// The Llama forward pass, top to bottom, as the paper describes it. Variants differ only in data:
// optional Q/K/V biases, a sliding attention window, and RoPE frequency divisors.
#include <cmath>

#include "models/common/decoder_inputs.h"
#include "models/common/shard.h"

#include "models/llama/llama.h"

namespace miaotui::models::llama {

ForwardGraph LlamaModel::BuildForward(const ForwardShape& shape) const {
  const LlamaConfig& c = config_;
  const LlamaWeights& w = weights_;
  graph::GraphBuilder g;
  ForwardGraph fg;
  AddDecoderInputs(g, shape, &fg);

  ops::RopeParams rope_q{.n_heads = c.n_head, .head_dim = c.head_dim, .n_rot = c.n_rot,
                         .base = c.rope_base, .freq_scale = c.rope_freq_scale,
                         .layout = c.rope_layout,
                         .freq_factors = c.rope_freq_factors.empty() ? nullptr
                                                                     : c.rope_freq_factors.data()};
  ops::RopeParams rope_k = rope_q;
  rope_k.n_heads = c.n_head_kv;
  const ops::AttentionParams attn{.n_head = c.n_head, .n_head_kv = c.n_head_kv,
                                  .head_dim = c.head_dim,
                                  .scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim)),
                                  .window = c.sliding_window};

  // A pipeline stage runs layers [begin, end); its KV cache holds just those.
  const int64_t begin = layer_begin_, end = layer_end_ < 0 ? c.n_layer : layer_end_;
  graph::Tensor x;
  if (shard_.first_stage()) {
    x = g.Embedding(w.tok_embd, fg.tokens);
  } else {
    x = StageInput(g, c.n_embd, &fg);
  }
  for (int64_t l = begin; l < end; ++l) {
    const LlamaLayer& L = w.layers[l];
    // Self-attention block.
    graph::Tensor h = g.RmsNorm(x, L.attn_norm, c.rms_eps);
    graph::Tensor q = g.Rope(g.Linear(h, L.wq, L.bq), fg.kv.positions, rope_q);
    graph::Tensor k = g.Rope(g.Linear(h, L.wk, L.bk), fg.kv.positions, rope_k);
    graph::Tensor v = g.Linear(h, L.wv, L.bv);
    graph::Tensor a = g.Attention(q, k, v, fg.kv, attn, static_cast<int>(l - begin));
    x = g.Add(x, TpReduce(g, g.MatMul(a, L.wo)));
    // SwiGLU feed-forward block.
    h = g.RmsNorm(x, L.ffn_norm, c.rms_eps);
    graph::Tensor gate = g.Silu(g.MatMul(h, L.w_gate));
    graph::Tensor up = g.MatMul(h, L.w_up);
    x = g.Add(x, TpReduce(g, g.MatMul(g.Mul(gate, up), L.w_down)));
  }
  if (FinishEarlyStage(g, x, shard_, &fg)) return fg;
  // Only the requested rows go through the final norm and the (large) output projection.
  x = g.SelectRows(x, fg.out_rows);
  x = g.RmsNorm(x, w.output_norm, c.rms_eps);
  fg.logits = g.Named(g.MatMul(x, w.output), "logits");
  g.MarkOutput(fg.logits);
  fg.graph = g.Finish();
  return fg;
}

}  // namespace miaotui::models::llama
