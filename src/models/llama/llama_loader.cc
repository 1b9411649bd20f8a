// Loading a Llama-family model: validation, the weights of any variant's name map (separate or
// fused Q/K/V and gate/up, optional biases), the printable info, and the GGUF loader
// (`<arch>.*` keys). The Hugging Face loader is llama_loader_hf.cc.
#include <cmath>

#include "models/common/model_info.h"
#include "models/llama/llama.h"

namespace miaotui::models::llama {

Status ValidateConfig(const LlamaConfig& c, const std::string& path) {
  auto bad = [&](const std::string& what) {
    return InvalidArgument(path + ": invalid Llama hyperparameters: " + what);
  };
  if (c.n_embd <= 0 || c.n_ff <= 0 || c.n_layer <= 0 || c.n_head <= 0 || c.n_head_kv <= 0) {
    return bad("embedding length, feed-forward length, block count and head counts must be > 0");
  }
  if (c.n_layer > 1024 || c.n_embd > (1 << 20) || c.n_ff > (1 << 22) || c.n_head > 4096) {
    return bad("a dimension is absurdly large (block count " + std::to_string(c.n_layer) +
               ", embedding " + std::to_string(c.n_embd) + ")");
  }
  if (c.n_head % c.n_head_kv != 0) {
    return bad("head count " + std::to_string(c.n_head) + " is not a multiple of KV head count " +
               std::to_string(c.n_head_kv));
  }
  if (c.head_dim <= 0 || c.head_dim % 2 != 0 || c.head_dim > (1 << 16)) {
    return bad("head dimension " + std::to_string(c.head_dim) + " must be even and > 0");
  }
  if (c.n_rot <= 0 || c.n_rot > c.head_dim || c.n_rot % 2 != 0) {
    return bad("rotary dimension " + std::to_string(c.n_rot) + " must be even, in (0, head_dim]");
  }
  if (c.sliding_window < 0) {
    return bad("sliding window " + std::to_string(c.sliding_window) + " must be >= 0");
  }
  if (!(c.rms_eps > 0) || !(c.rope_base > 0) || !(c.rope_freq_scale > 0)) {
    return bad("epsilon, rope base and rope scale must be > 0");
  }
  return Status::Ok();
}

Status LlamaModel::LoadWeights(const LlamaNames& n) {
  LlamaConfig& c = config_;
  WeightSource& s = *source_;
  const int64_t q_dim = c.n_head * c.head_dim, kv_dim = c.n_head_kv * c.head_dim;
  MT_ASSIGN_OR_RETURN(weights_.tok_embd, s.Matrix(n.tok_embd, Shape::Of(c.n_embd, c.n_vocab)));
  weights_.layers.resize(c.n_layer);
  for (int64_t l = 0; l < c.n_layer; ++l) {
    LlamaLayer& L = weights_.layers[l];
    auto name = [&](const std::string& p) { return LayerName(p, l); };
    MT_ASSIGN_OR_RETURN(L.attn_norm, s.Vector(name(n.attn_norm), c.n_embd));
    if (!n.wqkv.empty()) {
      MT_ASSIGN_OR_RETURN(TensorView qkv,
                          s.Matrix(name(n.wqkv), Shape::Of(c.n_embd, q_dim + 2 * kv_dim)));
      L.wq = RowSlice(qkv, 0, q_dim);
      L.wk = RowSlice(qkv, q_dim, kv_dim);
      L.wv = RowSlice(qkv, q_dim + kv_dim, kv_dim);
    } else {
      MT_ASSIGN_OR_RETURN(L.wq, s.Matrix(name(n.wq), Shape::Of(c.n_embd, q_dim)));
      MT_ASSIGN_OR_RETURN(L.wk, s.Matrix(name(n.wk), Shape::Of(c.n_embd, kv_dim)));
      MT_ASSIGN_OR_RETURN(L.wv, s.Matrix(name(n.wv), Shape::Of(c.n_embd, kv_dim)));
    }
    if (!n.bq.empty()) {
      MT_ASSIGN_OR_RETURN(L.bq, s.Vector(name(n.bq), q_dim));
      MT_ASSIGN_OR_RETURN(L.bk, s.Vector(name(n.bk), kv_dim));
      MT_ASSIGN_OR_RETURN(L.bv, s.Vector(name(n.bv), kv_dim));
    }
    MT_ASSIGN_OR_RETURN(L.wo, s.Matrix(name(n.wo), Shape::Of(q_dim, c.n_embd)));
    MT_ASSIGN_OR_RETURN(L.ffn_norm, s.Vector(name(n.ffn_norm), c.n_embd));
    if (!n.w_gate_up.empty()) {
      MT_ASSIGN_OR_RETURN(TensorView gate_up,
                          s.Matrix(name(n.w_gate_up), Shape::Of(c.n_embd, 2 * c.n_ff)));
      L.w_gate = RowSlice(gate_up, 0, c.n_ff);
      L.w_up = RowSlice(gate_up, c.n_ff, c.n_ff);
    } else {
      MT_ASSIGN_OR_RETURN(L.w_gate, s.Matrix(name(n.w_gate), Shape::Of(c.n_embd, c.n_ff)));
      MT_ASSIGN_OR_RETURN(L.w_up, s.Matrix(name(n.w_up), Shape::Of(c.n_embd, c.n_ff)));
    }
    MT_ASSIGN_OR_RETURN(L.w_down, s.Matrix(name(n.w_down), Shape::Of(c.n_ff, c.n_embd)));
  }
  MT_ASSIGN_OR_RETURN(weights_.output_norm, s.Vector(n.output_norm, c.n_embd));
  if (s.Has(n.output)) {
    MT_ASSIGN_OR_RETURN(weights_.output, s.Matrix(n.output, Shape::Of(c.n_embd, c.n_vocab)));
  } else {
    weights_.output = weights_.tok_embd;  // tied embedding
  }
  if (!n.rope_freqs.empty() && s.Has(n.rope_freqs)) {
    MT_ASSIGN_OR_RETURN(TensorView f, s.Vector(n.rope_freqs, c.n_rot / 2));
    const float* p = static_cast<const float*>(f.data);
    c.rope_freq_factors.assign(p, p + c.n_rot / 2);
    for (float x : c.rope_freq_factors) {
      if (!(x > 0) || !std::isfinite(x)) {
        return InvalidArgument(s.path() + ": tensor '" + n.rope_freqs + "' holds " +
                               std::to_string(x) + "; frequency divisors must be finite and > 0");
      }
    }
    c.rope_scaling = "per-frequency factors";
  }
  return Status::Ok();
}

void LlamaModel::FillInfo(const std::string& arch, const std::string& path,
                          const std::string& format) {
  const LlamaConfig& c = config_;
  FillCommonInfo(&info_, arch, path, format,
                 {c.n_vocab, c.n_embd, c.n_ff, c.n_layer, c.n_head, c.n_ctx_train,
                  c.n_head_kv * c.head_dim},
                 *source_);
  auto add = [&](const char* k, auto v) { AddHparam(&info_, k, v); };
  add("n_head_kv", c.n_head_kv);
  add("head_dim", c.head_dim);
  add("n_rot", c.n_rot);
  add("rms_eps", c.rms_eps);
  add("rope_base", c.rope_base);
  if (c.rope_freq_scale != 1.0f) add("rope_freq_scale", c.rope_freq_scale);
  info_.hparams.emplace_back("rope_scaling", c.rope_scaling);
  info_.hparams.emplace_back(
      "rope_layout", c.rope_layout == ops::RopeLayout::kInterleaved ? "interleaved" : "half-split");
  if (c.sliding_window > 0) add("sliding_window", c.sliding_window);
  info_.hparams.emplace_back("qkv_bias", weights_.layers[0].bq.valid() ? "yes" : "no");
  info_.hparams.emplace_back("tied_output",
                             weights_.output.data == weights_.tok_embd.data ? "yes" : "no");
}

Result<std::unique_ptr<Model>> LlamaModel::FromGguf(
    const LlamaVariant& v, std::shared_ptr<const formats::GgufFile> gguf, const Shard& shard) {
  auto m = std::unique_ptr<LlamaModel>(new LlamaModel());
  LlamaConfig& c = m->config_;
  const formats::GgufFile& f = *gguf;
  auto key = [&](const char* k) { return v.gguf_arch + "." + k; };
  MT_ASSIGN_OR_RETURN(c.n_embd, f.GetInt(key("embedding_length")));
  MT_ASSIGN_OR_RETURN(c.n_ff, f.GetInt(key("feed_forward_length")));
  MT_ASSIGN_OR_RETURN(c.n_layer, f.GetInt(key("block_count")));
  MT_ASSIGN_OR_RETURN(c.n_head, f.GetInt(key("attention.head_count")));
  MT_ASSIGN_OR_RETURN(c.n_head_kv, f.GetIntOr(key("attention.head_count_kv"), c.n_head));
  MT_ASSIGN_OR_RETURN(c.n_ctx_train, f.GetIntOr(key("context_length"), 2048));
  MT_ASSIGN_OR_RETURN(c.sliding_window, f.GetIntOr(key("attention.sliding_window"), 0));
  MT_ASSIGN_OR_RETURN(double eps, f.GetFloatOr(key("attention.layer_norm_rms_epsilon"), 1e-5));
  MT_ASSIGN_OR_RETURN(double base, f.GetFloatOr(key("rope.freq_base"), 10000.0));
  MT_ASSIGN_OR_RETURN(double scale, f.GetFloatOr(key("rope.scale_linear"), 1.0));
  MT_ASSIGN_OR_RETURN(std::string scaling, f.GetStringOr(key("rope.scaling.type"), "none"));
  if (scaling == "linear") {
    MT_ASSIGN_OR_RETURN(scale, f.GetFloatOr(key("rope.scaling.factor"), scale));
  } else if (scaling != "none") {
    return Unimplemented(f.path() + ": " + key("rope.scaling.type") + " is '" + scaling +
                         "'; supported: none, linear (Llama 3 scaling comes as rope_freqs.weight)");
  }
  if (f.FindTensor("rope_factors_short.weight")) {
    return Unimplemented(f.path() + ": tensor 'rope_factors_short.weight' (LongRoPE scaling) is "
                         "not supported yet");
  }
  c.rms_eps = static_cast<float>(eps);
  c.rope_base = static_cast<float>(base);
  c.rope_freq_scale = scale > 0 ? static_cast<float>(1.0 / scale) : 0.0f;
  if (scale != 1.0) c.rope_scaling = "linear";
  c.head_dim = c.n_head > 0 ? c.n_embd / c.n_head : 0;
  MT_ASSIGN_OR_RETURN(c.head_dim, f.GetIntOr(key("attention.key_length"), c.head_dim));
  MT_ASSIGN_OR_RETURN(c.n_rot, f.GetIntOr(key("rope.dimension_count"), c.head_dim));
  c.rope_layout = v.gguf_rope_layout;
  MT_RETURN_IF_ERROR(ValidateConfig(c, f.path()));

  MT_ASSIGN_OR_RETURN(m->tokenizer_, tokenizer::LoadTokenizerFromGguf(f));
  c.n_vocab = m->tokenizer_->n_vocab();
  const formats::GgufTensorInfo* emb = f.FindTensor(v.gguf_names.tok_embd);
  if (emb && emb->shape.ne[1] != c.n_vocab) {
    return InvalidArgument(f.path() + ": tensor '" + v.gguf_names.tok_embd + "' has " +
                           std::to_string(emb->shape.ne[1]) + " rows but the tokenizer has " +
                           std::to_string(c.n_vocab) + " tokens");
  }
  m->source_ = std::make_unique<WeightSource>(gguf);
  MT_RETURN_IF_ERROR(m->LoadWeights(v.gguf_names));
  m->FillInfo(v.gguf_arch, f.path(), "gguf");
  if (!shard.whole()) MT_RETURN_IF_ERROR(m->ApplyShard(shard, f.path()));
  return std::unique_ptr<Model>(std::move(m));
}

}  // namespace miaotui::models::llama
