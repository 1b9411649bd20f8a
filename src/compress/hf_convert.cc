// ConvertHfToGguf: Hugging Face Llama folder -> GGUF (see hf_convert.h).
#include "compress/hf_convert.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>

#include "base/half.h"
#include "compress/quant_preset.h"
#include "compress/quantize.h"
#include "formats/gguf.h"
#include "formats/json_file.h"
#include "formats/safetensors.h"
#include "models/chat_template_source.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::compress {
namespace {

struct HfLlama {
  int64_t n_embd = 0, n_ff = 0, n_layer = 0, n_head = 0, n_head_kv = 0, n_vocab = 0;
  int64_t n_ctx = 2048, head_dim = 0;
  double eps = 1e-6, theta = 10000.0;
  bool tied = false;
};

Result<HfLlama> ReadConfig(const std::string& dir) {
  const std::string path = dir + "/config.json";
  MT_ASSIGN_OR_RETURN(nlohmann::json j, formats::ReadJsonFile(path));
  auto archs = j.find("architectures");
  std::string arch = archs != j.end() && archs->is_array() && !archs->empty() &&
                             (*archs)[0].is_string()
                         ? (*archs)[0].get<std::string>()
                         : "";
  if (arch != "LlamaForCausalLM" && arch != "MistralForCausalLM") {
    return Unimplemented(path + ": architecture '" + arch +
                         "' cannot be converted yet (supported: LlamaForCausalLM, "
                         "MistralForCausalLM)");
  }
  auto null_or_absent = [&](const char* key) {
    auto it = j.find(key);
    return it == j.end() || it->is_null();
  };
  if (!null_or_absent("sliding_window")) {
    return Unimplemented(path + ": field 'sliding_window' is set; not supported by convert");
  }
  if (!null_or_absent("rope_scaling")) {
    return Unimplemented(path + ": field 'rope_scaling' is set; not supported by convert");
  }
  using formats::JsonGetInt;
  using formats::JsonGetIntOr;
  HfLlama c;
  MT_ASSIGN_OR_RETURN(c.n_embd, JsonGetInt(j, "hidden_size", path));
  MT_ASSIGN_OR_RETURN(c.n_ff, JsonGetInt(j, "intermediate_size", path));
  MT_ASSIGN_OR_RETURN(c.n_layer, JsonGetInt(j, "num_hidden_layers", path));
  MT_ASSIGN_OR_RETURN(c.n_head, JsonGetInt(j, "num_attention_heads", path));
  MT_ASSIGN_OR_RETURN(c.n_head_kv, JsonGetIntOr(j, "num_key_value_heads", path, c.n_head));
  MT_ASSIGN_OR_RETURN(c.n_vocab, JsonGetInt(j, "vocab_size", path));
  MT_ASSIGN_OR_RETURN(c.n_ctx, JsonGetIntOr(j, "max_position_embeddings", path, 2048));
  MT_ASSIGN_OR_RETURN(c.eps, formats::JsonGetFloatOr(j, "rms_norm_eps", path, 1e-6));
  MT_ASSIGN_OR_RETURN(c.theta, formats::JsonGetFloatOr(j, "rope_theta", path, 10000.0));
  MT_ASSIGN_OR_RETURN(c.tied, formats::JsonGetBoolOr(j, "tie_word_embeddings", path, false));
  if (c.n_head <= 0 || c.n_head_kv <= 0 || c.n_embd % c.n_head != 0) {
    return InvalidArgument(path + ": hidden_size must be a multiple of num_attention_heads > 0");
  }
  MT_ASSIGN_OR_RETURN(c.head_dim, JsonGetIntOr(j, "head_dim", path, c.n_embd / c.n_head));
  if (c.head_dim % 2 != 0) return InvalidArgument(path + ": head_dim must be even");
  return c;
}

// Hugging Face name -> GGUF name, and whether its rows are RoPE-permuted (0: no, else the
// number of heads).
struct Mapped {
  std::string name;
  int64_t permute_heads = 0;
};

std::optional<Mapped> MapName(const std::string& hf, const HfLlama& c) {
  static const std::map<std::string, std::string> kTop = {
      {"model.embed_tokens.weight", "token_embd.weight"},
      {"model.norm.weight", "output_norm.weight"},
      {"lm_head.weight", "output.weight"},
  };
  if (auto it = kTop.find(hf); it != kTop.end()) return Mapped{it->second, 0};
  static const std::regex kLayer(R"(model\.layers\.(\d+)\.(.+)\.weight)");
  static const std::map<std::string, std::string> kSub = {
      {"input_layernorm", "attn_norm"},   {"self_attn.q_proj", "attn_q"},
      {"self_attn.k_proj", "attn_k"},     {"self_attn.v_proj", "attn_v"},
      {"self_attn.o_proj", "attn_output"}, {"post_attention_layernorm", "ffn_norm"},
      {"mlp.gate_proj", "ffn_gate"},      {"mlp.up_proj", "ffn_up"},
      {"mlp.down_proj", "ffn_down"},
  };
  std::smatch m;
  if (!std::regex_match(hf, m, kLayer)) return std::nullopt;
  auto it = kSub.find(m[2].str());
  if (it == kSub.end()) return std::nullopt;
  Mapped out{"blk." + m[1].str() + "." + it->second + ".weight", 0};
  if (it->second == "attn_q") out.permute_heads = c.n_head;
  if (it->second == "attn_k") out.permute_heads = c.n_head_kv;
  return out;
}

float ElementToFloat(const TensorView& v, int64_t i) {
  switch (v.dtype) {
    case DType::kF16: return HalfToFloat(static_cast<const uint16_t*>(v.data)[i]);
    case DType::kBF16: return Bf16ToFloat(static_cast<const uint16_t*>(v.data)[i]);
    default: return static_cast<const float*>(v.data)[i];
  }
}

// One output tensor's bytes in `to`, rows permuted for RoPE when asked: within each head of
// head_dim rows, row 2i + a comes from row a * head_dim / 2 + i (convert_hf_to_gguf's permute).
std::vector<uint8_t> Convert(const TensorView& v, DType to, int64_t permute_heads) {
  const int64_t cols = v.cols(), rows = v.rows(), n = cols * rows;
  const size_t esize = to == DType::kF32 ? 4 : 2;
  std::vector<uint8_t> out(static_cast<size_t>(n) * esize);
  const int64_t hd = permute_heads > 0 ? rows / permute_heads : 0;
  for (int64_t r = 0; r < rows; ++r) {
    int64_t src = r;
    if (hd > 0) {
      const int64_t head = r / hd, within = r % hd;
      src = head * hd + (within % 2) * (hd / 2) + within / 2;
    }
    for (int64_t col = 0; col < cols; ++col) {
      const float x = ElementToFloat(v, src * cols + col);
      uint8_t* dst = out.data() + static_cast<size_t>(r * cols + col) * esize;
      if (to == DType::kF32) {
        std::memcpy(dst, &x, 4);
      } else {
        const uint16_t h = to == DType::kF16 ? FloatToHalf(x) : FloatToBf16(x);
        std::memcpy(dst, &h, 2);
      }
    }
  }
  return out;
}

Status AddTokenizer(const std::string& dir, formats::GgufWriter* w) {
  MT_ASSIGN_OR_RETURN(auto tok, tokenizer::LoadTokenizerFromHfFolder(dir));
  const tokenizer::Vocab& v = tok->vocab();
  if (v.model != "llama") {
    return Unimplemented(dir + "/tokenizer.json: tokenizer model '" + v.model +
                         "' cannot be converted yet (SentencePiece-style BPE only)");
  }
  w->SetString("tokenizer.ggml.model", "llama");
  w->SetStringArray("tokenizer.ggml.tokens", v.tokens);
  w->SetFloat32Array("tokenizer.ggml.scores", v.scores);
  std::vector<int32_t> types;
  types.reserve(v.types.size());
  for (tokenizer::TokenType t : v.types) types.push_back(static_cast<int32_t>(t));
  w->SetInt32Array("tokenizer.ggml.token_type", types);
  auto set_id = [&](const char* key, int32_t id) {
    if (id >= 0) w->SetUint32(key, static_cast<uint32_t>(id));
  };
  set_id("tokenizer.ggml.bos_token_id", v.bos_id);
  set_id("tokenizer.ggml.eos_token_id", v.eos_id);
  set_id("tokenizer.ggml.unknown_token_id", v.unk_id);
  set_id("tokenizer.ggml.padding_token_id", v.pad_id);
  set_id("tokenizer.ggml.eot_token_id", v.eot_id);
  w->SetBool("tokenizer.ggml.add_bos_token", v.add_bos);
  w->SetBool("tokenizer.ggml.add_eos_token", v.add_eos);
  w->SetBool("tokenizer.ggml.add_space_prefix", v.add_space_prefix);
  MT_ASSIGN_OR_RETURN(models::ChatTemplateSource src, models::ReadChatTemplateSource(dir));
  if (src.chat_template) w->SetString("tokenizer.chat_template", *src.chat_template);
  return Status::Ok();
}

Result<DType> PlainType(const std::string& type) {
  std::string t;
  for (char ch : type) t += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (t == "F32") return DType::kF32;
  if (t == "F16") return DType::kF16;
  if (t == "BF16") return DType::kBF16;
  return NotFound(type);
}

Result<ConvertReport> WritePlain(const std::string& dir, const std::string& out_path,
                                 DType to, const std::string& type_name) {
  MT_ASSIGN_OR_RETURN(HfLlama c, ReadConfig(dir));
  MT_ASSIGN_OR_RETURN(auto set, formats::SafetensorsSet::OpenFolder(dir));
  formats::GgufWriter w;
  const std::string name = std::filesystem::path(dir).filename().string();
  w.SetString("general.architecture", "llama");
  w.SetString("general.name", name.empty() ? "model" : name);
  w.SetUint32("llama.context_length", static_cast<uint32_t>(c.n_ctx));
  w.SetUint32("llama.embedding_length", static_cast<uint32_t>(c.n_embd));
  w.SetUint32("llama.block_count", static_cast<uint32_t>(c.n_layer));
  w.SetUint32("llama.feed_forward_length", static_cast<uint32_t>(c.n_ff));
  w.SetUint32("llama.rope.dimension_count", static_cast<uint32_t>(c.head_dim));
  w.SetUint32("llama.attention.head_count", static_cast<uint32_t>(c.n_head));
  w.SetUint32("llama.attention.head_count_kv", static_cast<uint32_t>(c.n_head_kv));
  if (c.head_dim != c.n_embd / c.n_head) {
    w.SetUint32("llama.attention.key_length", static_cast<uint32_t>(c.head_dim));
    w.SetUint32("llama.attention.value_length", static_cast<uint32_t>(c.head_dim));
  }
  w.SetFloat32("llama.attention.layer_norm_rms_epsilon", static_cast<float>(c.eps));
  w.SetFloat32("llama.rope.freq_base", static_cast<float>(c.theta));
  w.SetUint32("llama.vocab_size", static_cast<uint32_t>(c.n_vocab));
  // llama_ftype: ALL_F32 0, MOSTLY_F16 1, MOSTLY_BF16 32.
  w.SetUint32("general.file_type", to == DType::kF32 ? 0 : to == DType::kF16 ? 1 : 32);
  MT_RETURN_IF_ERROR(AddTokenizer(dir, &w));

  ConvertReport report;
  report.arch = "llama";
  std::vector<std::vector<uint8_t>> buffers;  // kept alive until Write
  const std::vector<std::string> names = set->TensorNames();
  struct Item {
    std::string gguf;
    std::string hf;
    int64_t permute;
  };
  std::vector<Item> items;
  for (const std::string& hf : names) {
    if (hf.ends_with("rotary_emb.inv_freq")) continue;  // recomputed from rope_theta
    auto m = MapName(hf, c);
    if (!m) return Unimplemented(dir + ": tensor '" + hf + "' has no GGUF name (unknown)");
    if (c.tied && m->name == "output.weight") continue;
    items.push_back({m->name, hf, m->permute_heads});
  }
  // llama.cpp's order: token_embd, the blocks by number, output_norm, output.
  auto rank = [](const std::string& n) -> std::pair<int64_t, std::string> {
    if (n == "token_embd.weight") return {-1, n};
    if (n.starts_with("blk.")) return {std::stoll(n.substr(4)), n};
    return {1 << 30, n == "output_norm.weight" ? "a" : "b"};
  };
  std::sort(items.begin(), items.end(),
            [&](const Item& a, const Item& b) { return rank(a.gguf) < rank(b.gguf); });
  buffers.reserve(items.size());
  for (const Item& it : items) {
    MT_ASSIGN_OR_RETURN(TensorView v, set->View(it.hf));
    if (v.dtype != DType::kF32 && v.dtype != DType::kF16 && v.dtype != DType::kBF16) {
      return Unimplemented(dir + ": tensor '" + it.hf + "' is " + DTypeName(v.dtype) +
                           "; only F32, F16 and BF16 weights can be converted");
    }
    if (it.permute > 0 && v.rows() % (2 * it.permute) != 0) {
      return InvalidArgument(dir + ": tensor '" + it.hf + "' has " + std::to_string(v.rows()) +
                             " rows, not a multiple of 2 x its " + std::to_string(it.permute) +
                             " heads");
    }
    const DType out = v.shape.n_dims <= 1 ? DType::kF32 : to;
    buffers.push_back(Convert(v, out, it.permute));
    w.AddTensor(it.gguf, out, v.shape, buffers.back().data());
    report.n_params += v.shape.NumElements();
    report.tensors.push_back(it.gguf + " " + DTypeName(out) + " " + v.shape.ToString());
  }
  (void)type_name;
  MT_RETURN_IF_ERROR(w.Write(out_path));
  report.out_file_bytes = std::filesystem::file_size(out_path);
  return report;
}

}  // namespace

Result<ConvertReport> ConvertHfToGguf(const std::string& hf_dir, const std::string& out_path,
                                      const ConvertOptions& options) {
  if (!std::filesystem::is_directory(hf_dir)) {
    return InvalidArgument(hf_dir + ": not a folder (convert reads a Hugging Face folder; "
                           "use `miaotui quantize` for a GGUF file)");
  }
  if (auto plain = PlainType(options.type); plain.ok()) {
    return WritePlain(hf_dir, out_path, *plain, options.type);
  }
  if (auto preset = ParseQuantPreset(options.type); !preset.ok()) {
    return InvalidArgument("unknown type '" + options.type + "' (valid: F32, F16, BF16, " +
                           QuantPresetNames() + ")");
  }
  // Quantized: an F32 GGUF beside the output first, then Quantize (pure: one type throughout).
  const std::string tmp = out_path + ".f32.tmp";
  auto plain = WritePlain(hf_dir, tmp, DType::kF32, "F32");
  if (!plain.ok()) return plain.status();
  QuantizeOptions q;
  q.type = options.type;
  q.pure = true;
  q.n_threads = options.n_threads;
  auto r = Quantize(tmp, out_path, q);
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  if (!r.ok()) return r.status();
  ConvertReport report = std::move(*plain);
  report.tensors.clear();
  for (const TensorChoice& t : r->tensors) {
    report.tensors.push_back(t.name + " " + DTypeName(t.to));
  }
  report.out_file_bytes = r->out_file_bytes;
  return report;
}

}  // namespace miaotui::compress
