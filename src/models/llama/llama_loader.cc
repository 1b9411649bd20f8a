// Loading a Llama model: hyperparameters from GGUF `llama.*` keys or a Hugging Face config.json,
// then every weight checked by name, shape and type.
#include <filesystem>

#include "base/mmap_file.h"
#include "formats/json_file.h"
#include "formats/safetensors.h"
#include "models/llama/llama.h"

namespace miaotui::models::llama {
namespace {

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
  if (c.head_dim <= 0 || c.head_dim % 2 != 0) {
    return bad("head dimension " + std::to_string(c.head_dim) + " must be even and > 0");
  }
  if (c.n_rot <= 0 || c.n_rot > c.head_dim || c.n_rot % 2 != 0) {
    return bad("rotary dimension " + std::to_string(c.n_rot) + " must be even, in (0, head_dim]");
  }
  if (!(c.rms_eps > 0) || !(c.rope_base > 0)) return bad("epsilon and rope base must be > 0");
  return Status::Ok();
}

}  // namespace

const LlamaNames kGgufLlamaNames = {
    .tok_embd = "token_embd.weight",
    .output_norm = "output_norm.weight",
    .output = "output.weight",
    .attn_norm = "blk.{}.attn_norm.weight",
    .wq = "blk.{}.attn_q.weight",
    .wk = "blk.{}.attn_k.weight",
    .wv = "blk.{}.attn_v.weight",
    .wo = "blk.{}.attn_output.weight",
    .ffn_norm = "blk.{}.ffn_norm.weight",
    .w_gate = "blk.{}.ffn_gate.weight",
    .w_up = "blk.{}.ffn_up.weight",
    .w_down = "blk.{}.ffn_down.weight",
};

const LlamaNames kHfLlamaNames = {
    .tok_embd = "model.embed_tokens.weight",
    .output_norm = "model.norm.weight",
    .output = "lm_head.weight",
    .attn_norm = "model.layers.{}.input_layernorm.weight",
    .wq = "model.layers.{}.self_attn.q_proj.weight",
    .wk = "model.layers.{}.self_attn.k_proj.weight",
    .wv = "model.layers.{}.self_attn.v_proj.weight",
    .wo = "model.layers.{}.self_attn.o_proj.weight",
    .ffn_norm = "model.layers.{}.post_attention_layernorm.weight",
    .w_gate = "model.layers.{}.mlp.gate_proj.weight",
    .w_up = "model.layers.{}.mlp.up_proj.weight",
    .w_down = "model.layers.{}.mlp.down_proj.weight",
};

Status LlamaModel::LoadWeights(const LlamaNames& n) {
  const LlamaConfig& c = config_;
  WeightSource& s = *source_;
  const int64_t q_dim = c.n_head * c.head_dim, kv_dim = c.n_head_kv * c.head_dim;
  MT_ASSIGN_OR_RETURN(weights_.tok_embd, s.Matrix(n.tok_embd, Shape::Of(c.n_embd, c.n_vocab)));
  weights_.layers.resize(c.n_layer);
  for (int64_t l = 0; l < c.n_layer; ++l) {
    LlamaLayer& L = weights_.layers[l];
    auto name = [&](const std::string& p) { return LayerName(p, l); };
    MT_ASSIGN_OR_RETURN(L.attn_norm, s.Vector(name(n.attn_norm), c.n_embd));
    MT_ASSIGN_OR_RETURN(L.wq, s.Matrix(name(n.wq), Shape::Of(c.n_embd, q_dim)));
    MT_ASSIGN_OR_RETURN(L.wk, s.Matrix(name(n.wk), Shape::Of(c.n_embd, kv_dim)));
    MT_ASSIGN_OR_RETURN(L.wv, s.Matrix(name(n.wv), Shape::Of(c.n_embd, kv_dim)));
    MT_ASSIGN_OR_RETURN(L.wo, s.Matrix(name(n.wo), Shape::Of(q_dim, c.n_embd)));
    MT_ASSIGN_OR_RETURN(L.ffn_norm, s.Vector(name(n.ffn_norm), c.n_embd));
    MT_ASSIGN_OR_RETURN(L.w_gate, s.Matrix(name(n.w_gate), Shape::Of(c.n_embd, c.n_ff)));
    MT_ASSIGN_OR_RETURN(L.w_up, s.Matrix(name(n.w_up), Shape::Of(c.n_embd, c.n_ff)));
    MT_ASSIGN_OR_RETURN(L.w_down, s.Matrix(name(n.w_down), Shape::Of(c.n_ff, c.n_embd)));
  }
  MT_ASSIGN_OR_RETURN(weights_.output_norm, s.Vector(n.output_norm, c.n_embd));
  if (s.Has(n.output)) {
    MT_ASSIGN_OR_RETURN(weights_.output, s.Matrix(n.output, Shape::Of(c.n_embd, c.n_vocab)));
  } else {
    weights_.output = weights_.tok_embd;  // tied embedding
  }
  return Status::Ok();
}

void LlamaModel::FillInfo(const std::string& path, const std::string& format) {
  const LlamaConfig& c = config_;
  info_.arch = "llama";
  info_.path = path;
  info_.format = format;
  info_.n_vocab = c.n_vocab;
  info_.n_ctx_train = c.n_ctx_train;
  info_.n_layer = c.n_layer;
  info_.kv_dim = c.n_head_kv * c.head_dim;
  info_.n_params = source_->n_params();
  info_.weight_bytes = source_->n_bytes();
  info_.tensor_types.assign(source_->type_counts().begin(), source_->type_counts().end());
  auto add = [&](const char* k, auto v) { info_.hparams.emplace_back(k, std::to_string(v)); };
  add("n_vocab", c.n_vocab);
  add("n_embd", c.n_embd);
  add("n_ff", c.n_ff);
  add("n_layer", c.n_layer);
  add("n_head", c.n_head);
  add("n_head_kv", c.n_head_kv);
  add("head_dim", c.head_dim);
  add("n_rot", c.n_rot);
  add("n_ctx_train", c.n_ctx_train);
  add("rms_eps", c.rms_eps);
  add("rope_base", c.rope_base);
  info_.hparams.emplace_back(
      "rope_layout", c.rope_layout == ops::RopeLayout::kInterleaved ? "interleaved" : "half-split");
  info_.hparams.emplace_back("tied_output",
                             weights_.output.data == weights_.tok_embd.data ? "yes" : "no");
}

Result<std::unique_ptr<Model>> LlamaModel::FromGguf(
    std::shared_ptr<const formats::GgufFile> gguf) {
  auto m = std::unique_ptr<LlamaModel>(new LlamaModel());
  LlamaConfig& c = m->config_;
  const formats::GgufFile& f = *gguf;
  auto key = [](const char* k) { return std::string("llama.") + k; };
  MT_ASSIGN_OR_RETURN(c.n_embd, f.GetInt(key("embedding_length")));
  MT_ASSIGN_OR_RETURN(c.n_ff, f.GetInt(key("feed_forward_length")));
  MT_ASSIGN_OR_RETURN(c.n_layer, f.GetInt(key("block_count")));
  MT_ASSIGN_OR_RETURN(c.n_head, f.GetInt(key("attention.head_count")));
  MT_ASSIGN_OR_RETURN(c.n_head_kv, f.GetIntOr(key("attention.head_count_kv"), c.n_head));
  MT_ASSIGN_OR_RETURN(c.n_ctx_train, f.GetIntOr(key("context_length"), 2048));
  MT_ASSIGN_OR_RETURN(double eps, f.GetFloatOr(key("attention.layer_norm_rms_epsilon"), 1e-5));
  MT_ASSIGN_OR_RETURN(double base, f.GetFloatOr(key("rope.freq_base"), 10000.0));
  MT_ASSIGN_OR_RETURN(double scale, f.GetFloatOr(key("rope.scale_linear"), 1.0));
  c.rms_eps = static_cast<float>(eps);
  c.rope_base = static_cast<float>(base);
  c.rope_freq_scale = scale > 0 ? static_cast<float>(1.0 / scale) : 1.0f;
  c.head_dim = c.n_head > 0 ? c.n_embd / c.n_head : 0;
  MT_ASSIGN_OR_RETURN(c.head_dim, f.GetIntOr(key("attention.key_length"), c.head_dim));
  MT_ASSIGN_OR_RETURN(c.n_rot, f.GetIntOr(key("rope.dimension_count"), c.head_dim));
  c.rope_layout = ops::RopeLayout::kInterleaved;
  MT_RETURN_IF_ERROR(ValidateConfig(c, f.path()));

  MT_ASSIGN_OR_RETURN(m->tokenizer_, tokenizer::LoadTokenizerFromGguf(f));
  c.n_vocab = m->tokenizer_->n_vocab();
  const formats::GgufTensorInfo* emb = f.FindTensor(kGgufLlamaNames.tok_embd);
  if (emb && emb->shape.ne[1] != c.n_vocab) {
    return InvalidArgument(f.path() + ": tensor 'token_embd.weight' has " +
                           std::to_string(emb->shape.ne[1]) + " rows but the tokenizer has " +
                           std::to_string(c.n_vocab) + " tokens");
  }
  m->source_ = std::make_unique<WeightSource>(gguf);
  MT_RETURN_IF_ERROR(m->LoadWeights(kGgufLlamaNames));
  m->FillInfo(f.path(), "gguf");
  return std::unique_ptr<Model>(std::move(m));
}

}  // namespace miaotui::models::llama

namespace miaotui::models::llama {

Result<std::unique_ptr<Model>> LlamaModel::FromHfFolder(const std::string& dir) {
  const std::string path = dir + "/config.json";
  MT_ASSIGN_OR_RETURN(nlohmann::json j, formats::ReadJsonFile(path));
  auto m = std::unique_ptr<LlamaModel>(new LlamaModel());
  LlamaConfig& c = m->config_;
  MT_ASSIGN_OR_RETURN(c.n_embd, formats::JsonGetInt(j, "hidden_size", path));
  MT_ASSIGN_OR_RETURN(c.n_ff, formats::JsonGetInt(j, "intermediate_size", path));
  MT_ASSIGN_OR_RETURN(c.n_layer, formats::JsonGetInt(j, "num_hidden_layers", path));
  MT_ASSIGN_OR_RETURN(c.n_head, formats::JsonGetInt(j, "num_attention_heads", path));
  MT_ASSIGN_OR_RETURN(c.n_head_kv, formats::JsonGetIntOr(j, "num_key_value_heads", path, c.n_head));
  MT_ASSIGN_OR_RETURN(c.n_vocab, formats::JsonGetInt(j, "vocab_size", path));
  MT_ASSIGN_OR_RETURN(c.n_ctx_train, formats::JsonGetIntOr(j, "max_position_embeddings", path, 2048));
  MT_ASSIGN_OR_RETURN(double eps, formats::JsonGetFloatOr(j, "rms_norm_eps", path, 1e-6));
  MT_ASSIGN_OR_RETURN(double theta, formats::JsonGetFloatOr(j, "rope_theta", path, 10000.0));
  MT_ASSIGN_OR_RETURN(bool tied, formats::JsonGetBoolOr(j, "tie_word_embeddings", path, false));
  c.rms_eps = static_cast<float>(eps);
  c.rope_base = static_cast<float>(theta);
  c.head_dim = c.n_head > 0 ? c.n_embd / c.n_head : 0;
  MT_ASSIGN_OR_RETURN(c.head_dim, formats::JsonGetIntOr(j, "head_dim", path, c.head_dim));
  c.n_rot = c.head_dim;
  // Hugging Face stores Q/K rows permuted for "rotate half": rotate the half-split pairs.
  c.rope_layout = ops::RopeLayout::kHalfSplit;
  if (auto rs = j.find("rope_scaling"); rs != j.end() && !rs->is_null()) {
    return Unimplemented(path + ": field 'rope_scaling' (" + formats::JsonDescribe(*rs) +
                         ") is not supported yet");
  }
  MT_RETURN_IF_ERROR(ValidateConfig(c, path));

  MT_ASSIGN_OR_RETURN(m->tokenizer_, tokenizer::LoadTokenizerFromHfFolder(dir));
  if (m->tokenizer_->n_vocab() > c.n_vocab) {
    return InvalidArgument(dir + ": the tokenizer has " + std::to_string(m->tokenizer_->n_vocab()) +
                           " tokens but config.json says vocab_size " + std::to_string(c.n_vocab));
  }
  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::SafetensorsSet> st,
                      formats::SafetensorsSet::OpenFolder(dir));
  m->source_ = std::make_unique<WeightSource>(std::shared_ptr<const formats::SafetensorsSet>(std::move(st)));
  LlamaNames names = kHfLlamaNames;
  if (tied) names.output = "(tied: lm_head.weight absent)";
  MT_RETURN_IF_ERROR(m->LoadWeights(names));
  m->FillInfo(dir, "hf");
  return std::unique_ptr<Model>(std::move(m));
}

}  // namespace miaotui::models::llama
