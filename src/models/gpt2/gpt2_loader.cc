// Loading GPT-2 from GGUF or a Hugging Face folder.
#include "formats/json_file.h"
#include "formats/safetensors.h"
#include "models/common/model_info.h"
#include "models/gpt2/gpt2.h"

namespace miaotui::models::gpt2 {
namespace {

struct Gpt2Names {
  std::string tok_embd, pos_embd, lnf_w, lnf_b, output;
  std::string ln1_w, ln1_b, qkv_w, qkv_b, o_w, o_b, ln2_w, ln2_b, up_w, up_b, down_w, down_b;
  bool conv1d;  // Hugging Face Conv1D: matrices stored (in, out)
};

const Gpt2Names kGgufNames = {
    "token_embd.weight", "position_embd.weight", "output_norm.weight", "output_norm.bias",
    "output.weight", "blk.{}.attn_norm.weight", "blk.{}.attn_norm.bias", "blk.{}.attn_qkv.weight",
    "blk.{}.attn_qkv.bias", "blk.{}.attn_output.weight", "blk.{}.attn_output.bias",
    "blk.{}.ffn_norm.weight", "blk.{}.ffn_norm.bias", "blk.{}.ffn_up.weight", "blk.{}.ffn_up.bias",
    "blk.{}.ffn_down.weight", "blk.{}.ffn_down.bias", false};

const Gpt2Names kHfNames = {
    "transformer.wte.weight", "transformer.wpe.weight", "transformer.ln_f.weight",
    "transformer.ln_f.bias", "lm_head.weight", "transformer.h.{}.ln_1.weight",
    "transformer.h.{}.ln_1.bias", "transformer.h.{}.attn.c_attn.weight",
    "transformer.h.{}.attn.c_attn.bias", "transformer.h.{}.attn.c_proj.weight",
    "transformer.h.{}.attn.c_proj.bias", "transformer.h.{}.ln_2.weight",
    "transformer.h.{}.ln_2.bias", "transformer.h.{}.mlp.c_fc.weight", "transformer.h.{}.mlp.c_fc.bias",
    "transformer.h.{}.mlp.c_proj.weight", "transformer.h.{}.mlp.c_proj.bias", true};

Status Validate(const Gpt2Config& c, const std::string& path) {
  if (c.n_embd <= 0 || c.n_ff <= 0 || c.n_layer <= 0 || c.n_head <= 0 || c.n_ctx_train <= 0 ||
      c.n_embd % c.n_head != 0 || c.n_layer > 1024 || c.n_embd > (1 << 20)) {
    return InvalidArgument(path + ": invalid GPT-2 hyperparameters (embedding " +
                           std::to_string(c.n_embd) + ", heads " + std::to_string(c.n_head) +
                           ", layers " + std::to_string(c.n_layer) + ", context " +
                           std::to_string(c.n_ctx_train) + ")");
  }
  return Status::Ok();
}

Status LoadWeights(WeightSource& s, const Gpt2Names& n, const Gpt2Config& c, Gpt2Weights* w) {
  auto matrix = [&](const std::string& name, int64_t in, int64_t out) {
    return n.conv1d ? s.MatrixTransposed(name, Shape::Of(in, out))
                    : s.Matrix(name, Shape::Of(in, out));
  };
  const int64_t d = c.n_embd;
  MT_ASSIGN_OR_RETURN(w->tok_embd, s.Matrix(n.tok_embd, Shape::Of(d, c.n_vocab)));
  MT_ASSIGN_OR_RETURN(w->pos_embd, s.Matrix(n.pos_embd, Shape::Of(d, c.n_ctx_train)));
  w->layers.resize(c.n_layer);
  for (int64_t l = 0; l < c.n_layer; ++l) {
    Gpt2Layer& L = w->layers[l];
    auto name = [&](const std::string& p) { return LayerName(p, l); };
    MT_ASSIGN_OR_RETURN(L.ln1_w, s.Vector(name(n.ln1_w), d));
    MT_ASSIGN_OR_RETURN(L.ln1_b, s.Vector(name(n.ln1_b), d));
    MT_ASSIGN_OR_RETURN(TensorView qkv, matrix(name(n.qkv_w), d, 3 * d));
    MT_ASSIGN_OR_RETURN(TensorView qkv_b, s.Vector(name(n.qkv_b), 3 * d));
    L.wq = RowSlice(qkv, 0, d);
    L.wk = RowSlice(qkv, d, d);
    L.wv = RowSlice(qkv, 2 * d, d);
    L.bq = VectorSlice(qkv_b, 0, d);
    L.bk = VectorSlice(qkv_b, d, d);
    L.bv = VectorSlice(qkv_b, 2 * d, d);
    MT_ASSIGN_OR_RETURN(L.wo, matrix(name(n.o_w), d, d));
    MT_ASSIGN_OR_RETURN(L.bo, s.Vector(name(n.o_b), d));
    MT_ASSIGN_OR_RETURN(L.ln2_w, s.Vector(name(n.ln2_w), d));
    MT_ASSIGN_OR_RETURN(L.ln2_b, s.Vector(name(n.ln2_b), d));
    MT_ASSIGN_OR_RETURN(L.w_up, matrix(name(n.up_w), d, c.n_ff));
    MT_ASSIGN_OR_RETURN(L.b_up, s.Vector(name(n.up_b), c.n_ff));
    MT_ASSIGN_OR_RETURN(L.w_down, matrix(name(n.down_w), c.n_ff, d));
    MT_ASSIGN_OR_RETURN(L.b_down, s.Vector(name(n.down_b), d));
  }
  MT_ASSIGN_OR_RETURN(w->lnf_w, s.Vector(n.lnf_w, d));
  MT_ASSIGN_OR_RETURN(w->lnf_b, s.Vector(n.lnf_b, d));
  if (s.Has(n.output)) {
    MT_ASSIGN_OR_RETURN(w->output, s.Matrix(n.output, Shape::Of(d, c.n_vocab)));
  } else {
    w->output = w->tok_embd;
  }
  return Status::Ok();
}

}  // namespace

void Gpt2Model::FillInfo(const std::string& path, const std::string& format) {
  const Gpt2Config& c = config_;
  FillCommonInfo(&info_, "gpt2", path, format,
                 {c.n_vocab, c.n_embd, c.n_ff, c.n_layer, c.n_head, c.n_ctx_train, c.n_embd},
                 *source_);
  AddHparam(&info_, "ln_eps", c.ln_eps);
}

Result<std::unique_ptr<Model>> Gpt2Model::FromGguf(std::shared_ptr<const formats::GgufFile> gguf) {
  auto m = std::unique_ptr<Gpt2Model>(new Gpt2Model());
  Gpt2Config& c = m->config_;
  const formats::GgufFile& f = *gguf;
  MT_ASSIGN_OR_RETURN(c.n_embd, f.GetInt("gpt2.embedding_length"));
  MT_ASSIGN_OR_RETURN(c.n_ff, f.GetIntOr("gpt2.feed_forward_length", 4 * c.n_embd));
  MT_ASSIGN_OR_RETURN(c.n_layer, f.GetInt("gpt2.block_count"));
  MT_ASSIGN_OR_RETURN(c.n_head, f.GetInt("gpt2.attention.head_count"));
  MT_ASSIGN_OR_RETURN(c.n_ctx_train, f.GetInt("gpt2.context_length"));
  MT_ASSIGN_OR_RETURN(double eps, f.GetFloatOr("gpt2.attention.layer_norm_epsilon", 1e-5));
  c.ln_eps = static_cast<float>(eps);
  MT_RETURN_IF_ERROR(Validate(c, f.path()));
  MT_ASSIGN_OR_RETURN(m->tokenizer_, tokenizer::LoadTokenizerFromGguf(f));
  c.n_vocab = m->tokenizer_->n_vocab();
  m->source_ = std::make_unique<WeightSource>(gguf);
  MT_RETURN_IF_ERROR(LoadWeights(*m->source_, kGgufNames, c, &m->weights_));
  m->FillInfo(f.path(), "gguf");
  return std::unique_ptr<Model>(std::move(m));
}

Result<std::unique_ptr<Model>> Gpt2Model::FromGgufShard(
    std::shared_ptr<const formats::GgufFile> gguf, const Shard& shard) {
  const std::string path = gguf->path();
  MT_ASSIGN_OR_RETURN(std::unique_ptr<Model> m, FromGguf(std::move(gguf)));
  if (!shard.whole()) {
    MT_RETURN_IF_ERROR(static_cast<Gpt2Model*>(m.get())->ApplyShard(shard, path));
  }
  return m;
}

Result<std::unique_ptr<Model>> Gpt2Model::FromHfFolder(const std::string& dir) {
  const std::string path = dir + "/config.json";
  MT_ASSIGN_OR_RETURN(nlohmann::json j, formats::ReadJsonFile(path));
  auto m = std::unique_ptr<Gpt2Model>(new Gpt2Model());
  Gpt2Config& c = m->config_;
  MT_ASSIGN_OR_RETURN(c.n_embd, formats::JsonGetInt(j, "n_embd", path));
  MT_ASSIGN_OR_RETURN(c.n_ff, formats::JsonGetIntOr(j, "n_inner", path, 4 * c.n_embd));
  MT_ASSIGN_OR_RETURN(c.n_layer, formats::JsonGetInt(j, "n_layer", path));
  MT_ASSIGN_OR_RETURN(c.n_head, formats::JsonGetInt(j, "n_head", path));
  MT_ASSIGN_OR_RETURN(c.n_ctx_train, formats::JsonGetInt(j, "n_positions", path));
  MT_ASSIGN_OR_RETURN(c.n_vocab, formats::JsonGetInt(j, "vocab_size", path));
  MT_ASSIGN_OR_RETURN(double eps, formats::JsonGetFloatOr(j, "layer_norm_epsilon", path, 1e-5));
  MT_ASSIGN_OR_RETURN(std::string act,
                      formats::JsonGetStringOr(j, "activation_function", path, "gelu_new"));
  if (act != "gelu_new" && act != "gelu_pytorch_tanh") {
    return Unimplemented(path + ": field 'activation_function' is '" + act +
                         "'; only the tanh GELU (gelu_new) is supported");
  }
  c.ln_eps = static_cast<float>(eps);
  MT_RETURN_IF_ERROR(Validate(c, path));
  MT_ASSIGN_OR_RETURN(m->tokenizer_, tokenizer::LoadTokenizerFromHfFolder(dir));
  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::SafetensorsSet> st,
                      formats::SafetensorsSet::OpenFolder(dir));
  m->source_ = std::make_unique<WeightSource>(
      std::shared_ptr<const formats::SafetensorsSet>(std::move(st)));
  MT_RETURN_IF_ERROR(LoadWeights(*m->source_, kHfNames, c, &m->weights_));
  m->FillInfo(dir, "hf");
  return std::unique_ptr<Model>(std::move(m));
}

}  // namespace miaotui::models::gpt2
