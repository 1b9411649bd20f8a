// `miaotui synth` for BERT shapes: random weights under llama.cpp's GGUF BERT names, mean pooling,
// and a WordPiece vocabulary generated without any file: [PAD] [UNK] [CLS] [SEP] [MASK], then the
// pieces of the synthetic SentencePiece vocabulary respelled as WordPiece in llama.cpp's
// "phantom space" form (word-initial pieces keep their U+2581, the rest are continuations).
#include <cmath>

#include "formats/gguf.h"
#include "models/synth.h"
#include "models/synth_store.h"
#include "models/weight_source.h"
#include "tokenizer/synth_vocab.h"

namespace miaotui::models {

Status WriteSynthBert(const SynthShape& s, const SynthOptions& o, const std::string& path) {
  formats::GgufWriter w;
  w.SetString("general.architecture", "bert");
  w.SetString("general.name", "miaotui synth " + s.name);
  w.SetUint32("general.file_type", o.dtype == DType::kF32 ? 0 : o.dtype == DType::kF16 ? 1 : 32);
  w.SetUint32("bert.context_length", static_cast<uint32_t>(s.n_ctx));
  w.SetUint32("bert.embedding_length", static_cast<uint32_t>(s.n_embd));
  w.SetUint32("bert.feed_forward_length", static_cast<uint32_t>(s.n_ff));
  w.SetUint32("bert.block_count", static_cast<uint32_t>(s.n_layer));
  w.SetUint32("bert.attention.head_count", static_cast<uint32_t>(s.n_head));
  w.SetFloat32("bert.attention.layer_norm_epsilon", 1e-12f);
  w.SetBool("bert.attention.causal", false);
  w.SetUint32("bert.pooling_type", 1);  // mean

  if (o.vocab_from) {
    for (const auto& kv : o.vocab_from->metadata()) {
      if (kv.key.rfind("tokenizer.", 0) == 0) w.SetValue(kv.key, kv.value);
    }
  } else {
    const tokenizer::Vocab spm = tokenizer::GenerateSynthVocab(static_cast<int32_t>(s.n_vocab));
    std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    std::vector<int32_t> types = {3, 2, 3, 3, 3};
    for (size_t i = 0; i < spm.tokens.size() && tokens.size() < static_cast<size_t>(s.n_vocab);
         ++i) {
      if (spm.types[i] != tokenizer::TokenType::kNormal) continue;
      tokens.push_back(spm.tokens[i]);
      types.push_back(1);
    }
    while (tokens.size() < static_cast<size_t>(s.n_vocab)) {  // unused fillers
      tokens.push_back("[unused" + std::to_string(tokens.size()) + "]");
      types.push_back(5);
    }
    w.SetString("tokenizer.ggml.model", "bert");
    w.SetStringArray("tokenizer.ggml.tokens", tokens);
    w.SetInt32Array("tokenizer.ggml.token_type", types);
    w.SetUint32("tokenizer.ggml.padding_token_id", 0);
    w.SetUint32("tokenizer.ggml.unknown_token_id", 1);
    w.SetUint32("tokenizer.ggml.cls_token_id", 2);
    w.SetUint32("tokenizer.ggml.seperator_token_id", 3);
    w.SetUint32("tokenizer.ggml.mask_token_id", 4);
    w.SetUint32("tokenizer.ggml.token_type_count", 2);
  }

  synth_internal::FastRng rng(o.seed);
  synth_internal::TensorStore store;
  const int64_t d = s.n_embd;
  const float d_std = 1.0f / std::sqrt(static_cast<float>(d));
  const float ff_std = 1.0f / std::sqrt(static_cast<float>(s.n_ff));
  store.Random(w, "token_embd.weight", o.dtype, Shape::Of(d, s.n_vocab), 0.5f, rng);
  store.Random(w, "position_embd.weight", DType::kF32, Shape::Of(d, s.n_ctx), 0.1f, rng);
  store.Random(w, "token_types.weight", DType::kF32, Shape::Of(d, 2), 0.1f, rng);
  store.Ones(w, "token_embd_norm.weight", d);
  store.Random(w, "token_embd_norm.bias", DType::kF32, Shape::Of(d), 0.0f, rng);
  for (int64_t l = 0; l < s.n_layer; ++l) {
    auto name = [&](const char* pattern) { return LayerName(pattern, l); };
    for (const char* m : {"blk.{}.attn_q", "blk.{}.attn_k", "blk.{}.attn_v", "blk.{}.attn_output"}) {
      store.Random(w, name(m) + ".weight", o.dtype, Shape::Of(d, d), d_std, rng);
      store.Random(w, name(m) + ".bias", DType::kF32, Shape::Of(d), 0.02f, rng);
    }
    store.Ones(w, name("blk.{}.attn_output_norm") + ".weight", d);
    store.Random(w, name("blk.{}.attn_output_norm") + ".bias", DType::kF32, Shape::Of(d), 0.0f, rng);
    store.Random(w, name("blk.{}.ffn_up") + ".weight", o.dtype, Shape::Of(d, s.n_ff), d_std, rng);
    store.Random(w, name("blk.{}.ffn_up") + ".bias", DType::kF32, Shape::Of(s.n_ff), 0.02f, rng);
    store.Random(w, name("blk.{}.ffn_down") + ".weight", o.dtype, Shape::Of(s.n_ff, d), ff_std,
                 rng);
    store.Random(w, name("blk.{}.ffn_down") + ".bias", DType::kF32, Shape::Of(d), 0.02f, rng);
    store.Ones(w, name("blk.{}.layer_output_norm") + ".weight", d);
    store.Random(w, name("blk.{}.layer_output_norm") + ".bias", DType::kF32, Shape::Of(d), 0.0f,
                 rng);
  }
  return w.Write(path);
}

}  // namespace miaotui::models
