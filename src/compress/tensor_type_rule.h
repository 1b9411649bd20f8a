// Which type each tensor of a model gets when it is quantized to a preset: llama-quantize's
// rules (llama_tensor_get_type), written from its documented behaviour.
//
//  - Only tensors with 2 or more dimensions are quantized; norms (*_norm.weight), position
//    embeddings, token types, MoE router weights (ffn_gate_inp) and T5 relative-position biases
//    keep their type.
//  - Without --pure and for a quantized base type, the preset's mix applies: output.weight (or
//    token_embd.weight when there is no separate output) gets Q6_K (Q8_0 if its rows are not a
//    multiple of 256, and the base when that is Q8_0); attn_v / ffn_down / attn_output get more
//    bits on some layers for Q2_K, Q3_K_*, Q4_K_*, Q5_K_M, IQ4_*, e.g. Q4_K_M gives Q6_K to
//    attn_v and ffn_down of the layers where use_more_bits(i, n) holds (the first and last
//    eighth and every third layer in between).
//  - Rows whose length is not a multiple of the chosen type's block size fall back per tensor
//    (Q2_K/Q3_K/IQ4_XS -> IQ4_NL, Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0, then F16), with a note.
//    The fallback applies with --pure too (llama-quantize would fail there).
//
// Counters (i-th attn_v, i-th ffn_down) advance in the order tensors are offered, which must be
// the output order: by layer, then by name (SortForQuantize).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compress/quant_preset.h"
#include "tensor/tensor_view.h"

namespace miaotui::compress {

struct ModelFacts {
  std::string arch;        // general.architecture
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t n_expert = 0;
  bool has_output = true;  // a separate output.weight exists
  int64_t n_attn_v = 0;    // tensors named *attn_v.weight / *attn_qkv.weight / *attn_kv_b.weight
};

// Whether llama-quantize would quantize this tensor at all.
bool ShouldQuantize(const std::string& name, const Shape& shape);

class TensorTypeRule {
 public:
  TensorTypeRule(const QuantPreset& preset, ModelFacts facts, bool pure, bool has_importance);

  // The type for the next tensor (in output order). REQUIRES: ShouldQuantize(name, shape).
  // Sets *note when the type fell back because of the row length.
  DType Choose(const std::string& name, const Shape& shape, std::string* note);

 private:
  DType MixedType(const std::string& name, const Shape& shape);

  QuantPreset preset_;
  ModelFacts facts_;
  bool pure_, has_importance_;
  int64_t i_attn_v_ = 0, i_ffn_down_ = 0;
};

// Sorts tensor names as llama-quantize orders its output: tensors outside blocks first, then
// blk.0.*, blk.1.*, ... (by layer number), by name within each group.
void SortForQuantize(std::vector<std::string>& names);

}  // namespace miaotui::compress
