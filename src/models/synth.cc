#include "models/synth.h"

#include <cmath>
#include <memory>

#include "base/aligned.h"
#include "base/half.h"
#include "formats/gguf.h"
#include "models/llama/llama.h"
#include "models/synth_store.h"
#include "models/weight_source.h"
#include "tokenizer/synth_vocab.h"

namespace miaotui::models {

Status WriteSynthBert(const SynthShape& s, const SynthOptions& o, const std::string& path);

namespace {
using synth_internal::FastRng;
using synth_internal::TensorStore;

}  // namespace

void AddVocabMetadata(formats::GgufWriter& w, const tokenizer::Vocab& v) {
  w.SetString("tokenizer.ggml.model", v.model);
  w.SetStringArray("tokenizer.ggml.tokens", v.tokens);
  w.SetFloat32Array("tokenizer.ggml.scores", v.scores);
  std::vector<int32_t> types;
  for (auto t : v.types) types.push_back(static_cast<int32_t>(t));
  w.SetInt32Array("tokenizer.ggml.token_type", types);
  w.SetUint32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(v.bos_id));
  w.SetUint32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(v.eos_id));
  w.SetUint32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(v.unk_id));
  w.SetBool("tokenizer.ggml.add_bos_token", v.add_bos);
  w.SetBool("tokenizer.ggml.add_eos_token", v.add_eos);
}

const std::vector<SynthShape>& SynthShapes() {
  static const std::vector<SynthShape> kShapes = {
      {"tinyllama-1.1b", "llama", 2048, 5632, 22, 32, 4, 32000, 2048},
      {"llama-125m", "llama", 768, 2048, 12, 12, 12, 32000, 2048},
      {"llama-7b", "llama", 4096, 11008, 32, 32, 32, 32000, 4096},
      {"tiny", "llama", 64, 172, 5, 8, 4, 512, 512},
      {"bert-base", "bert", 768, 3072, 12, 12, 12, 30522, 512},
      {"bert-tiny", "bert", 128, 512, 2, 4, 4, 1024, 512},
  };
  return kShapes;
}

Status WriteSynthModel(const SynthOptions& o, const std::string& path) {
  const SynthShape* shape = nullptr;
  std::string names;
  for (const auto& s : SynthShapes()) {
    if (s.name == o.shape) shape = &s;
    names += (names.empty() ? "" : ", ") + s.name;
  }
  if (!shape) return InvalidArgument("unknown shape '" + o.shape + "' (known: " + names + ")");
  if (o.dtype != DType::kF32 && o.dtype != DType::kF16 && o.dtype != DType::kBF16) {
    return InvalidArgument(std::string("synth writes F32, F16 or BF16 weights, not ") +
                           DTypeName(o.dtype));
  }
  const SynthShape& s = *shape;
  if (s.arch == "bert") return WriteSynthBert(s, o, path);
  formats::GgufWriter w;
  w.SetString("general.architecture", "llama");
  w.SetString("general.name", "miaotui synth " + s.name);
  w.SetUint32("general.file_type", o.dtype == DType::kF32 ? 0 : o.dtype == DType::kF16 ? 1 : 32);
  w.SetUint32("llama.context_length", static_cast<uint32_t>(s.n_ctx));
  w.SetUint32("llama.embedding_length", static_cast<uint32_t>(s.n_embd));
  w.SetUint32("llama.feed_forward_length", static_cast<uint32_t>(s.n_ff));
  w.SetUint32("llama.block_count", static_cast<uint32_t>(s.n_layer));
  w.SetUint32("llama.attention.head_count", static_cast<uint32_t>(s.n_head));
  w.SetUint32("llama.attention.head_count_kv", static_cast<uint32_t>(s.n_head_kv));
  w.SetUint32("llama.rope.dimension_count", static_cast<uint32_t>(s.n_embd / s.n_head));
  w.SetFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.SetFloat32("llama.rope.freq_base", 10000.0f);

  if (o.vocab_from) {
    MT_ASSIGN_OR_RETURN(std::vector<std::string> toks,
                        o.vocab_from->GetStringArray("tokenizer.ggml.tokens"));
    if (static_cast<int64_t>(toks.size()) != s.n_vocab) {
      return InvalidArgument(o.vocab_from->path() + ": vocabulary has " +
                             std::to_string(toks.size()) + " tokens but shape '" + s.name +
                             "' needs " + std::to_string(s.n_vocab));
    }
    for (const auto& kv : o.vocab_from->metadata()) {
      if (kv.key.rfind("tokenizer.", 0) == 0) w.SetValue(kv.key, kv.value);
    }
  } else {
    AddVocabMetadata(w, tokenizer::GenerateSynthVocab(static_cast<int32_t>(s.n_vocab)));
  }

  FastRng rng(o.seed);
  TensorStore store;
  const llama::LlamaNames& n = llama::kGgufLlamaNames;
  const int64_t hd = s.n_embd / s.n_head, kv = s.n_head_kv * hd;
  const float in_std = 1.0f / std::sqrt(static_cast<float>(s.n_embd));
  const float ff_std = 1.0f / std::sqrt(static_cast<float>(s.n_ff));
  store.Random(w, n.tok_embd, o.dtype, Shape::Of(s.n_embd, s.n_vocab), 0.5f, rng);
  for (int64_t l = 0; l < s.n_layer; ++l) {
    store.Ones(w, LayerName(n.attn_norm, l), s.n_embd);
    store.Random(w, LayerName(n.wq, l), o.dtype, Shape::Of(s.n_embd, s.n_embd), in_std, rng);
    store.Random(w, LayerName(n.wk, l), o.dtype, Shape::Of(s.n_embd, kv), in_std, rng);
    store.Random(w, LayerName(n.wv, l), o.dtype, Shape::Of(s.n_embd, kv), in_std, rng);
    store.Random(w, LayerName(n.wo, l), o.dtype, Shape::Of(s.n_embd, s.n_embd), in_std, rng);
    store.Ones(w, LayerName(n.ffn_norm, l), s.n_embd);
    store.Random(w, LayerName(n.w_gate, l), o.dtype, Shape::Of(s.n_embd, s.n_ff), in_std, rng);
    store.Random(w, LayerName(n.w_up, l), o.dtype, Shape::Of(s.n_embd, s.n_ff), in_std, rng);
    store.Random(w, LayerName(n.w_down, l), o.dtype, Shape::Of(s.n_ff, s.n_embd), ff_std, rng);
  }
  store.Ones(w, n.output_norm, s.n_embd);
  store.Random(w, n.output, o.dtype, Shape::Of(s.n_embd, s.n_vocab), in_std, rng);
  return w.Write(path);
}

}  // namespace miaotui::models
