// Loading BERT from GGUF or a Hugging Face folder.
#include <cstdlib>
#include <filesystem>

#include "formats/json_file.h"
#include "formats/safetensors.h"
#include "models/bert/bert.h"
#include "models/common/model_info.h"

namespace miaotui::models::bert {
namespace {

struct BertNames {
  std::string tok_embd, pos_embd, type_embd, emb_ln_w, emb_ln_b;
  std::string wq, bq, wk, bk, wv, bv, wo, bo, ln1_w, ln1_b, w_up, b_up, w_down, b_down, ln2_w,
      ln2_b;
};

const BertNames kGgufNames = {
    "token_embd.weight", "position_embd.weight", "token_types.weight", "token_embd_norm.weight",
    "token_embd_norm.bias", "blk.{}.attn_q.weight", "blk.{}.attn_q.bias", "blk.{}.attn_k.weight",
    "blk.{}.attn_k.bias", "blk.{}.attn_v.weight", "blk.{}.attn_v.bias",
    "blk.{}.attn_output.weight", "blk.{}.attn_output.bias", "blk.{}.attn_output_norm.weight",
    "blk.{}.attn_output_norm.bias", "blk.{}.ffn_up.weight", "blk.{}.ffn_up.bias",
    "blk.{}.ffn_down.weight", "blk.{}.ffn_down.bias", "blk.{}.layer_output_norm.weight",
    "blk.{}.layer_output_norm.bias"};

// Hugging Face names; `prefix` is "" for BertModel and "bert." inside task models.
BertNames HfNames(const std::string& prefix) {
  const std::string e = prefix + "embeddings.", l = prefix + "encoder.layer.{}.";
  return {e + "word_embeddings.weight", e + "position_embeddings.weight",
          e + "token_type_embeddings.weight", e + "LayerNorm.weight", e + "LayerNorm.bias",
          l + "attention.self.query.weight", l + "attention.self.query.bias",
          l + "attention.self.key.weight", l + "attention.self.key.bias",
          l + "attention.self.value.weight", l + "attention.self.value.bias",
          l + "attention.output.dense.weight", l + "attention.output.dense.bias",
          l + "attention.output.LayerNorm.weight", l + "attention.output.LayerNorm.bias",
          l + "intermediate.dense.weight", l + "intermediate.dense.bias",
          l + "output.dense.weight", l + "output.dense.bias", l + "output.LayerNorm.weight",
          l + "output.LayerNorm.bias"};
}

Status Validate(const BertConfig& c, const std::string& path) {
  if (c.n_embd <= 0 || c.n_ff <= 0 || c.n_layer <= 0 || c.n_head <= 0 || c.n_ctx_train <= 0 ||
      c.n_embd % c.n_head != 0 || c.n_layer > 1024 || c.n_embd > (1 << 20) ||
      c.n_token_types <= 0 || c.n_token_types > 1024) {
    return InvalidArgument(path + ": invalid BERT hyperparameters (hidden " +
                           std::to_string(c.n_embd) + ", heads " + std::to_string(c.n_head) +
                           ", layers " + std::to_string(c.n_layer) + ")");
  }
  return Status::Ok();
}

// The optional classification head: pooler (dense + tanh) and classifier.
struct HeadNames {
  std::string pooler_w, pooler_b, cls_w, cls_b;
};
const HeadNames kGgufHead = {"cls.weight", "cls.bias", "cls.output.weight", "cls.output.bias"};
HeadNames HfHead(const std::string& prefix) {
  return {prefix + "pooler.dense.weight", prefix + "pooler.dense.bias", "classifier.weight",
          "classifier.bias"};
}

Status LoadHead(WeightSource& s, const HeadNames& n, int64_t d, int64_t n_labels,
                BertWeights* w) {
  if (!s.Has(n.cls_w)) return Status::Ok();
  if (n_labels <= 0) {
    return InvalidArgument(s.path() + ": tensor '" + n.cls_w +
                           "' is present but the number of labels is unknown");
  }
  if (s.Has(n.pooler_w)) {
    MT_ASSIGN_OR_RETURN(w->pooler_w, s.Matrix(n.pooler_w, Shape::Of(d, d)));
    MT_ASSIGN_OR_RETURN(w->pooler_b, s.Vector(n.pooler_b, d));
  }
  MT_ASSIGN_OR_RETURN(w->cls_w, s.Matrix(n.cls_w, Shape::Of(d, n_labels)));
  MT_ASSIGN_OR_RETURN(w->cls_b, s.Vector(n.cls_b, n_labels));
  return Status::Ok();
}

Status LoadWeights(WeightSource& s, const BertNames& n, const BertConfig& c, BertWeights* w) {
  const int64_t d = c.n_embd;
  MT_ASSIGN_OR_RETURN(w->tok_embd, s.Matrix(n.tok_embd, Shape::Of(d, c.n_vocab)));
  MT_ASSIGN_OR_RETURN(w->pos_embd, s.Matrix(n.pos_embd, Shape::Of(d, c.n_ctx_train)));
  MT_ASSIGN_OR_RETURN(w->type_embd, s.Matrix(n.type_embd, Shape::Of(d, c.n_token_types)));
  MT_ASSIGN_OR_RETURN(w->emb_ln_w, s.Vector(n.emb_ln_w, d));
  MT_ASSIGN_OR_RETURN(w->emb_ln_b, s.Vector(n.emb_ln_b, d));
  w->layers.resize(c.n_layer);
  for (int64_t l = 0; l < c.n_layer; ++l) {
    BertLayer& L = w->layers[l];
    auto name = [&](const std::string& p) { return LayerName(p, l); };
    MT_ASSIGN_OR_RETURN(L.wq, s.Matrix(name(n.wq), Shape::Of(d, d)));
    MT_ASSIGN_OR_RETURN(L.bq, s.Vector(name(n.bq), d));
    MT_ASSIGN_OR_RETURN(L.wk, s.Matrix(name(n.wk), Shape::Of(d, d)));
    MT_ASSIGN_OR_RETURN(L.bk, s.Vector(name(n.bk), d));
    MT_ASSIGN_OR_RETURN(L.wv, s.Matrix(name(n.wv), Shape::Of(d, d)));
    MT_ASSIGN_OR_RETURN(L.bv, s.Vector(name(n.bv), d));
    MT_ASSIGN_OR_RETURN(L.wo, s.Matrix(name(n.wo), Shape::Of(d, d)));
    MT_ASSIGN_OR_RETURN(L.bo, s.Vector(name(n.bo), d));
    MT_ASSIGN_OR_RETURN(L.ln1_w, s.Vector(name(n.ln1_w), d));
    MT_ASSIGN_OR_RETURN(L.ln1_b, s.Vector(name(n.ln1_b), d));
    MT_ASSIGN_OR_RETURN(L.w_up, s.Matrix(name(n.w_up), Shape::Of(d, c.n_ff)));
    MT_ASSIGN_OR_RETURN(L.b_up, s.Vector(name(n.b_up), c.n_ff));
    MT_ASSIGN_OR_RETURN(L.w_down, s.Matrix(name(n.w_down), Shape::Of(c.n_ff, d)));
    MT_ASSIGN_OR_RETURN(L.b_down, s.Vector(name(n.b_down), d));
    MT_ASSIGN_OR_RETURN(L.ln2_w, s.Vector(name(n.ln2_w), d));
    MT_ASSIGN_OR_RETURN(L.ln2_b, s.Vector(name(n.ln2_b), d));
  }
  return Status::Ok();
}

// Label names of a classification config: id2label {"0": "NEG", ...}, else num_labels generic
// names; none for a plain encoder.
Result<std::vector<std::string>> HfLabels(const nlohmann::json& j, const std::string& path) {
  std::vector<std::string> labels;
  auto it = j.find("id2label");
  if (it != j.end() && it->is_object()) {
    labels.resize(it->size());
    for (const auto& [key, value] : it->items()) {
      char* end = nullptr;
      const long idx = std::strtol(key.c_str(), &end, 10);
      if (*end || idx < 0 || idx >= static_cast<long>(labels.size()) || !value.is_string()) {
        return InvalidArgument(path + ": field 'id2label' must map 0..n-1 to strings, found key '" +
                               key + "'");
      }
      labels[idx] = value.get<std::string>();
    }
    return labels;
  }
  MT_ASSIGN_OR_RETURN(int64_t n, formats::JsonGetIntOr(j, "num_labels", path, 0));
  for (int64_t i = 0; i < n; ++i) labels.push_back("LABEL_" + std::to_string(i));
  return labels;
}

// sentence-transformers' pooling config, if the folder has one.
Result<ops::PoolMode> HfPooling(const std::string& dir) {
  const std::string path = dir + "/1_Pooling/config.json";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return ops::PoolMode::kMean;
  MT_ASSIGN_OR_RETURN(nlohmann::json j, formats::ReadJsonFile(path));
  MT_ASSIGN_OR_RETURN(bool cls, formats::JsonGetBoolOr(j, "pooling_mode_cls_token", path, false));
  MT_ASSIGN_OR_RETURN(bool mean, formats::JsonGetBoolOr(j, "pooling_mode_mean_tokens", path, false));
  MT_ASSIGN_OR_RETURN(bool last, formats::JsonGetBoolOr(j, "pooling_mode_lasttoken", path, false));
  if (cls + mean + last != 1) {
    return Unimplemented(path + ": exactly one of pooling_mode_cls_token, "
                         "pooling_mode_mean_tokens, pooling_mode_lasttoken must be true "
                         "(max and sqrt-length pooling are not supported)");
  }
  return cls ? ops::PoolMode::kCls : last ? ops::PoolMode::kLast : ops::PoolMode::kMean;
}

}  // namespace

void BertModel::FillInfo(const std::string& path, const std::string& format) {
  const BertConfig& c = config_;
  FillCommonInfo(&info_, "bert", path, format,
                 {c.n_vocab, c.n_embd, c.n_ff, c.n_layer, c.n_head, c.n_ctx_train, c.n_embd},
                 *source_);
  info_.is_encoder = true;
  AddHparam(&info_, "ln_eps", c.ln_eps);
  const ops::PoolMode p = info_.pooling;
  info_.hparams.emplace_back("pooling", p == ops::PoolMode::kMean  ? "mean"
                                        : p == ops::PoolMode::kCls ? "cls"
                                                                   : "last");
}

Result<std::unique_ptr<Model>> BertModel::FromGguf(std::shared_ptr<const formats::GgufFile> gguf) {
  auto m = std::unique_ptr<BertModel>(new BertModel());
  BertConfig& c = m->config_;
  const formats::GgufFile& f = *gguf;
  MT_ASSIGN_OR_RETURN(c.n_embd, f.GetInt("bert.embedding_length"));
  MT_ASSIGN_OR_RETURN(c.n_ff, f.GetInt("bert.feed_forward_length"));
  MT_ASSIGN_OR_RETURN(c.n_layer, f.GetInt("bert.block_count"));
  MT_ASSIGN_OR_RETURN(c.n_head, f.GetInt("bert.attention.head_count"));
  MT_ASSIGN_OR_RETURN(c.n_ctx_train, f.GetInt("bert.context_length"));
  MT_ASSIGN_OR_RETURN(double eps, f.GetFloatOr("bert.attention.layer_norm_epsilon", 1e-12));
  MT_ASSIGN_OR_RETURN(int64_t pooling, f.GetIntOr("bert.pooling_type", 1));
  MT_ASSIGN_OR_RETURN(c.n_token_types, f.GetIntOr("tokenizer.ggml.token_type_count", 2));
  c.ln_eps = static_cast<float>(eps);
  switch (pooling) {
    case 0:  // none: per-token output; pooled falls back to mean
    case 1: m->info_.pooling = ops::PoolMode::kMean; break;
    case 2: m->info_.pooling = ops::PoolMode::kCls; break;
    case 3: m->info_.pooling = ops::PoolMode::kLast; break;
    default:
      return Unimplemented(f.path() + ": bert.pooling_type " + std::to_string(pooling) +
                           " is not supported (0 none, 1 mean, 2 cls, 3 last)");
  }
  MT_RETURN_IF_ERROR(Validate(c, f.path()));
  MT_ASSIGN_OR_RETURN(m->tokenizer_, tokenizer::LoadTokenizerFromGguf(f));
  c.n_vocab = m->tokenizer_->n_vocab();
  m->source_ = std::make_unique<WeightSource>(gguf);
  MT_RETURN_IF_ERROR(LoadWeights(*m->source_, kGgufNames, c, &m->weights_));
  if (const formats::GgufValue* labels = f.Find("bert.classifier.output_labels")) {
    MT_ASSIGN_OR_RETURN(m->info_.labels, f.GetStringArray("bert.classifier.output_labels"));
    (void)labels;
  } else if (const formats::GgufTensorInfo* t = f.FindTensor(kGgufHead.cls_w)) {
    for (int64_t i = 0; i < t->shape.ne[1]; ++i) m->info_.labels.push_back("LABEL_" + std::to_string(i));
  }
  MT_RETURN_IF_ERROR(LoadHead(*m->source_, kGgufHead, c.n_embd,
                              static_cast<int64_t>(m->info_.labels.size()), &m->weights_));
  if (!m->weights_.cls_w.valid()) m->info_.labels.clear();  // a config may name labels anyway
  m->FillInfo(f.path(), "gguf");
  return std::unique_ptr<Model>(std::move(m));
}

Result<std::unique_ptr<Model>> BertModel::FromHfFolder(const std::string& dir) {
  const std::string path = dir + "/config.json";
  MT_ASSIGN_OR_RETURN(nlohmann::json j, formats::ReadJsonFile(path));
  auto m = std::unique_ptr<BertModel>(new BertModel());
  BertConfig& c = m->config_;
  MT_ASSIGN_OR_RETURN(c.n_embd, formats::JsonGetInt(j, "hidden_size", path));
  MT_ASSIGN_OR_RETURN(c.n_ff, formats::JsonGetInt(j, "intermediate_size", path));
  MT_ASSIGN_OR_RETURN(c.n_layer, formats::JsonGetInt(j, "num_hidden_layers", path));
  MT_ASSIGN_OR_RETURN(c.n_head, formats::JsonGetInt(j, "num_attention_heads", path));
  MT_ASSIGN_OR_RETURN(c.n_ctx_train, formats::JsonGetInt(j, "max_position_embeddings", path));
  MT_ASSIGN_OR_RETURN(c.n_vocab, formats::JsonGetInt(j, "vocab_size", path));
  MT_ASSIGN_OR_RETURN(c.n_token_types, formats::JsonGetIntOr(j, "type_vocab_size", path, 2));
  MT_ASSIGN_OR_RETURN(double eps, formats::JsonGetFloatOr(j, "layer_norm_eps", path, 1e-12));
  MT_ASSIGN_OR_RETURN(std::string act, formats::JsonGetStringOr(j, "hidden_act", path, "gelu"));
  MT_ASSIGN_OR_RETURN(std::string pos,
                      formats::JsonGetStringOr(j, "position_embedding_type", path, "absolute"));
  if (act != "gelu" && act != "gelu_new" && act != "gelu_pytorch_tanh") {
    return Unimplemented(path + ": field 'hidden_act' is '" + act + "'; supported: gelu, gelu_new");
  }
  if (pos != "absolute") {
    return Unimplemented(path + ": field 'position_embedding_type' is '" + pos +
                         "'; only 'absolute' is supported");
  }
  c.gelu_tanh = act != "gelu";
  c.ln_eps = static_cast<float>(eps);
  MT_RETURN_IF_ERROR(Validate(c, path));
  MT_ASSIGN_OR_RETURN(m->info_.pooling, HfPooling(dir));
  MT_ASSIGN_OR_RETURN(m->tokenizer_, tokenizer::LoadTokenizerFromHfFolder(dir));
  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::SafetensorsSet> st,
                      formats::SafetensorsSet::OpenFolder(dir));
  const std::string prefix = st->Find("bert.embeddings.word_embeddings.weight") ? "bert." : "";
  m->source_ = std::make_unique<WeightSource>(
      std::shared_ptr<const formats::SafetensorsSet>(std::move(st)));
  MT_RETURN_IF_ERROR(LoadWeights(*m->source_, HfNames(prefix), c, &m->weights_));
  MT_ASSIGN_OR_RETURN(m->info_.labels, HfLabels(j, path));
  MT_RETURN_IF_ERROR(LoadHead(*m->source_, HfHead(prefix), c.n_embd,
                              static_cast<int64_t>(m->info_.labels.size()), &m->weights_));
  if (!m->weights_.cls_w.valid()) m->info_.labels.clear();  // a config may name labels anyway
  m->FillInfo(dir, "hf");
  return std::unique_ptr<Model>(std::move(m));
}

}  // namespace miaotui::models::bert
