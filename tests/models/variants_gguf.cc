// HF-to-GGUF renaming for the variant fixtures; see variants_gguf.h.
#include "variants_gguf.h"

#include <cstring>
#include <map>
#include <regex>

#include "base/aligned.h"
#include "formats/gguf.h"
#include "formats/json_file.h"
#include "formats/safetensors.h"
#include "models/llama/llama.h"
#include "models/synth.h"
#include "tokenizer/synth_vocab.h"

namespace miaotui::testing {
namespace {

// HF per-layer suffix -> GGUF per-layer suffix.
const std::map<std::string, std::string> kLayerNames = {
    {"input_layernorm.weight", "attn_norm.weight"},
    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},
    {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.q_proj.bias", "attn_q.bias"},
    {"self_attn.k_proj.bias", "attn_k.bias"},
    {"self_attn.v_proj.bias", "attn_v.bias"},
    {"self_attn.qkv_proj.weight", "attn_qkv.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},
    {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.gate_up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
};

// Undoes Hugging Face's "rotate half" row order within each head (llama.cpp's `permute`):
// GGUF row h*hd + 2i + a holds HF row h*hd + a*hd/2 + i.
void PermuteRows(const TensorView& t, int64_t n_heads, uint8_t* out) {
  const int64_t hd = t.rows() / n_heads;
  const size_t rb = t.row_bytes();
  for (int64_t h = 0; h < n_heads; ++h) {
    for (int64_t i = 0; i < hd / 2; ++i) {
      for (int64_t a = 0; a < 2; ++a) {
        std::memcpy(out + static_cast<size_t>(h * hd + 2 * i + a) * rb,
                    t.row(h * hd + a * hd / 2 + i), rb);
      }
    }
  }
}

}  // namespace

Status ConvertHfFixtureToGguf(const std::string& hf_dir, const std::string& gguf_path) {
  const std::string cfg_path = hf_dir + "/config.json";
  MT_ASSIGN_OR_RETURN(nlohmann::json cfg, formats::ReadJsonFile(cfg_path));
  const std::string hf_arch = cfg["architectures"][0];
  const std::string arch = hf_arch == "Qwen2ForCausalLM"  ? "qwen2"
                           : hf_arch == "Phi3ForCausalLM" ? "phi3"
                                                          : "llama";
  const int64_t d = cfg["hidden_size"], n_head = cfg["num_attention_heads"];
  const int64_t n_head_kv = cfg.value("num_key_value_heads", n_head);
  const int64_t hd = d / n_head;
  const int64_t n_rot = static_cast<int64_t>(hd * cfg.value("partial_rotary_factor", 1.0));
  const int64_t n_vocab = cfg["vocab_size"];
  const double theta = cfg.value("rope_theta", 10000.0);

  formats::GgufWriter w;
  auto key = [&](const char* k) { return arch + "." + k; };
  w.SetString("general.architecture", arch);
  w.SetUint32(key("context_length"), cfg["max_position_embeddings"].get<uint32_t>());
  w.SetUint32(key("embedding_length"), static_cast<uint32_t>(d));
  w.SetUint32(key("feed_forward_length"), cfg["intermediate_size"].get<uint32_t>());
  w.SetUint32(key("block_count"), cfg["num_hidden_layers"].get<uint32_t>());
  w.SetUint32(key("attention.head_count"), static_cast<uint32_t>(n_head));
  w.SetUint32(key("attention.head_count_kv"), static_cast<uint32_t>(n_head_kv));
  w.SetUint32(key("rope.dimension_count"), static_cast<uint32_t>(n_rot));
  w.SetFloat32(key("rope.freq_base"), static_cast<float>(theta));
  w.SetFloat32(key("attention.layer_norm_rms_epsilon"), cfg["rms_norm_eps"].get<float>());
  if (cfg.contains("sliding_window") && !cfg["sliding_window"].is_null() &&
      cfg.value("use_sliding_window", true)) {
    w.SetUint32(key("attention.sliding_window"), cfg["sliding_window"].get<uint32_t>());
  }

  models::AddVocabMetadata(w, tokenizer::GenerateSynthVocab(static_cast<int32_t>(n_vocab)));

  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::SafetensorsSet> st,
                      formats::SafetensorsSet::OpenFolder(hf_dir));
  std::vector<AlignedBuffer> owned;
  const std::regex layer_re(R"(model\.layers\.(\d+)\.(.+))");
  for (const std::string& name : st->TensorNames()) {
    MT_ASSIGN_OR_RETURN(TensorView t, st->View(name));
    std::string out;
    std::smatch m;
    if (name == "model.embed_tokens.weight") {
      out = "token_embd.weight";
    } else if (name == "model.norm.weight") {
      out = "output_norm.weight";
    } else if (name == "lm_head.weight") {
      out = "output.weight";
    } else if (std::regex_match(name, m, layer_re) && kLayerNames.count(m[2].str())) {
      out = "blk." + m[1].str() + "." + kLayerNames.at(m[2].str());
    } else {
      return InvalidArgument(hf_dir + ": no GGUF name for tensor '" + name + "'");
    }
    const bool permute = arch == "llama" && (out.ends_with("attn_q.weight") ||
                                             out.ends_with("attn_k.weight"));
    if (permute) {
      owned.push_back(AlignedAlloc(t.bytes()));
      PermuteRows(t, out.ends_with("attn_q.weight") ? n_head : n_head_kv, owned.back().get());
      w.AddTensor(out, t.dtype, t.shape, owned.back().get());
    } else {
      w.AddTensor(out, t.dtype, t.shape, t.data);
    }
  }
  if (cfg.contains("rope_scaling") && !cfg["rope_scaling"].is_null()) {
    const nlohmann::json& rs = cfg["rope_scaling"];
    std::vector<float> f = models::llama::Llama3FreqFactors(
        n_rot, theta, rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"],
        rs["original_max_position_embeddings"]);
    owned.push_back(AlignedAlloc(f.size() * sizeof(float)));
    std::memcpy(owned.back().get(), f.data(), f.size() * sizeof(float));
    w.AddTensor("rope_freqs.weight", DType::kF32, Shape::Of(static_cast<int64_t>(f.size())),
                owned.back().get());
  }
  return w.Write(gguf_path);
}

}  // namespace miaotui::testing
