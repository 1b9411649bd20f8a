// Loading a Llama-family model from a Hugging Face folder: config.json (with `rope_scaling`,
// `partial_rotary_factor`, `sliding_window`, `tie_word_embeddings`), the tokenizer files and the
// safetensors weights under the variant's Hugging Face names. Also Llama 3's frequency scaling.
#include <cmath>
#include <numbers>

#include "formats/json_file.h"
#include "formats/safetensors.h"
#include "models/llama/llama.h"

namespace miaotui::models::llama {
namespace {

// `rope_scaling`: null, or {"rope_type" (or older "type"): "default" | "linear" | "llama3", ...}.
Status ParseRopeScaling(const nlohmann::json& j, const std::string& path, LlamaConfig* c) {
  auto rs = j.find("rope_scaling");
  if (rs == j.end() || rs->is_null()) return Status::Ok();
  if (!rs->is_object()) {
    return InvalidArgument(path + ": field 'rope_scaling' must be an object or null, not " +
                           formats::JsonDescribe(*rs));
  }
  const std::string where = path + " rope_scaling";
  std::string type = "default";
  if (rs->contains("rope_type")) {
    MT_ASSIGN_OR_RETURN(type, formats::JsonGetString(*rs, "rope_type", where));
  } else {
    MT_ASSIGN_OR_RETURN(type, formats::JsonGetStringOr(*rs, "type", where, "default"));
  }
  if (type == "default") return Status::Ok();
  MT_ASSIGN_OR_RETURN(double factor, formats::JsonGetFloat(*rs, "factor", where));
  if (!(factor >= 1.0) || !std::isfinite(factor)) {
    return InvalidArgument(path + ": field 'rope_scaling.factor' is " + std::to_string(factor) +
                           "; it must be >= 1");
  }
  if (type == "linear") {
    c->rope_freq_scale = static_cast<float>(1.0 / factor);
    c->rope_scaling = "linear";
    return Status::Ok();
  }
  if (type == "llama3") {
    MT_ASSIGN_OR_RETURN(double low, formats::JsonGetFloat(*rs, "low_freq_factor", where));
    MT_ASSIGN_OR_RETURN(double high, formats::JsonGetFloat(*rs, "high_freq_factor", where));
    MT_ASSIGN_OR_RETURN(double orig,
                        formats::JsonGetFloat(*rs, "original_max_position_embeddings", where));
    if (!(low > 0) || !(high > low) || !(orig > 0)) {
      return InvalidArgument(path + ": field 'rope_scaling' needs 0 < low_freq_factor < " +
                             "high_freq_factor and original_max_position_embeddings > 0");
    }
    c->rope_freq_factors = Llama3FreqFactors(c->n_rot, c->rope_base, factor, low, high, orig);
    c->rope_scaling = "llama3";
    return Status::Ok();
  }
  return Unimplemented(path + ": field 'rope_scaling' has type '" + type +
                       "', which is not supported (supported: default, linear, llama3)");
}

// `sliding_window` applies unless `use_sliding_window` (Qwen2) says it is off.
Status ParseSlidingWindow(const nlohmann::json& j, const std::string& path, LlamaConfig* c) {
  auto sw = j.find("sliding_window");
  if (sw == j.end() || sw->is_null()) return Status::Ok();
  MT_ASSIGN_OR_RETURN(bool use, formats::JsonGetBoolOr(j, "use_sliding_window", path, true));
  if (!use) return Status::Ok();
  if (j.contains("use_sliding_window")) {
    return Unimplemented(path + ": field 'use_sliding_window' is true; per-layer sliding windows "
                         "(max_window_layers) are not supported yet");
  }
  MT_ASSIGN_OR_RETURN(c->sliding_window, formats::JsonGetInt(j, "sliding_window", path));
  if (c->sliding_window <= 0) {
    return InvalidArgument(path + ": field 'sliding_window' is " +
                           std::to_string(c->sliding_window) + "; it must be > 0 or null");
  }
  return Status::Ok();
}

}  // namespace

std::vector<float> Llama3FreqFactors(int64_t n_rot, double base, double factor,
                                     double low_freq_factor, double high_freq_factor,
                                     double original_ctx) {
  const double low_freq_wavelen = original_ctx / low_freq_factor;
  const double high_freq_wavelen = original_ctx / high_freq_factor;
  std::vector<float> divisors(static_cast<size_t>(n_rot / 2));
  for (int64_t i = 0; i < n_rot / 2; ++i) {
    const double freq = std::pow(base, -2.0 * static_cast<double>(i) / static_cast<double>(n_rot));
    const double wavelen = 2.0 * std::numbers::pi / freq;
    double scaled_freq;
    if (wavelen < high_freq_wavelen) {
      scaled_freq = freq;
    } else if (wavelen > low_freq_wavelen) {
      scaled_freq = freq / factor;
    } else {
      const double smooth = (original_ctx / wavelen - low_freq_factor) /
                            (high_freq_factor - low_freq_factor);
      scaled_freq = (1.0 - smooth) * freq / factor + smooth * freq;
    }
    divisors[static_cast<size_t>(i)] = static_cast<float>(freq / scaled_freq);
  }
  return divisors;
}

Result<std::unique_ptr<Model>> LlamaModel::FromHfFolder(const LlamaVariant& v,
                                                        const std::string& dir,
                                                        const Shard& shard) {
  const std::string path = dir + "/config.json";
  MT_ASSIGN_OR_RETURN(nlohmann::json j, formats::ReadJsonFile(path));
  auto m = std::unique_ptr<LlamaModel>(new LlamaModel());
  LlamaConfig& c = m->config_;
  using formats::JsonGetInt;
  using formats::JsonGetIntOr;
  MT_ASSIGN_OR_RETURN(c.n_embd, JsonGetInt(j, "hidden_size", path));
  MT_ASSIGN_OR_RETURN(c.n_ff, JsonGetInt(j, "intermediate_size", path));
  MT_ASSIGN_OR_RETURN(c.n_layer, JsonGetInt(j, "num_hidden_layers", path));
  MT_ASSIGN_OR_RETURN(c.n_head, JsonGetInt(j, "num_attention_heads", path));
  MT_ASSIGN_OR_RETURN(c.n_head_kv, JsonGetIntOr(j, "num_key_value_heads", path, c.n_head));
  MT_ASSIGN_OR_RETURN(c.n_vocab, JsonGetInt(j, "vocab_size", path));
  MT_ASSIGN_OR_RETURN(c.n_ctx_train, JsonGetIntOr(j, "max_position_embeddings", path, 2048));
  MT_ASSIGN_OR_RETURN(double eps, formats::JsonGetFloatOr(j, "rms_norm_eps", path, 1e-6));
  MT_ASSIGN_OR_RETURN(double theta, formats::JsonGetFloatOr(j, "rope_theta", path, 10000.0));
  MT_ASSIGN_OR_RETURN(bool tied, formats::JsonGetBoolOr(j, "tie_word_embeddings", path, false));
  MT_ASSIGN_OR_RETURN(bool attn_bias, formats::JsonGetBoolOr(j, "attention_bias", path, false));
  if (attn_bias && v.hf_names.bq.empty()) {
    return Unimplemented(path + ": field 'attention_bias' is true; attention biases are not "
                         "supported for " + v.hf_archs[0]);
  }
  MT_ASSIGN_OR_RETURN(std::string act, formats::JsonGetStringOr(j, "hidden_act", path, "silu"));
  if (act != "silu") {
    return Unimplemented(path + ": field 'hidden_act' is '" + act + "'; only silu is supported");
  }
  c.rms_eps = static_cast<float>(eps);
  c.rope_base = static_cast<float>(theta);
  c.head_dim = c.n_head > 0 ? c.n_embd / c.n_head : 0;
  MT_ASSIGN_OR_RETURN(c.head_dim, JsonGetIntOr(j, "head_dim", path, c.head_dim));
  MT_ASSIGN_OR_RETURN(double rotary, formats::JsonGetFloatOr(j, "partial_rotary_factor", path, 1));
  if (!(rotary > 0 && rotary <= 1)) {
    return InvalidArgument(path + ": field 'partial_rotary_factor' is " + std::to_string(rotary) +
                           "; it must be in (0, 1]");
  }
  c.n_rot = static_cast<int64_t>(static_cast<double>(c.head_dim) * rotary);
  // Hugging Face rotates "half-split" pairs (rotate_half); Llama's Q/K rows are stored permuted
  // for it, the others were trained that way.
  c.rope_layout = ops::RopeLayout::kHalfSplit;
  MT_RETURN_IF_ERROR(ValidateConfig(c, path));  // before n_rot sizes the scaling table
  MT_RETURN_IF_ERROR(ParseRopeScaling(j, path, &c));
  MT_RETURN_IF_ERROR(ParseSlidingWindow(j, path, &c));
  MT_RETURN_IF_ERROR(ValidateConfig(c, path));

  MT_ASSIGN_OR_RETURN(m->tokenizer_, tokenizer::LoadTokenizerFromHfFolder(dir));
  if (m->tokenizer_->n_vocab() > c.n_vocab) {
    return InvalidArgument(dir + ": the tokenizer has " + std::to_string(m->tokenizer_->n_vocab()) +
                           " tokens but config.json says vocab_size " + std::to_string(c.n_vocab));
  }
  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::SafetensorsSet> st,
                      formats::SafetensorsSet::OpenFolder(dir));
  m->source_ = std::make_unique<WeightSource>(
      std::shared_ptr<const formats::SafetensorsSet>(std::move(st)));
  LlamaNames names = v.hf_names;
  if (tied) names.output = "(tied: lm_head.weight absent)";
  MT_RETURN_IF_ERROR(m->LoadWeights(names));
  m->FillInfo(v.gguf_arch, dir, "hf");
  if (!shard.whole()) MT_RETURN_IF_ERROR(m->ApplyShard(shard, dir));
  return std::unique_ptr<Model>(std::move(m));
}

}  // namespace miaotui::models::llama
