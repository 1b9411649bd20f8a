#include "compress/tensor_type_rule.h"

#include <algorithm>
#include <cstdio>

namespace miaotui::compress {
namespace {

bool Has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

int NumDims(const Shape& s) {
  for (int i = 3; i >= 1; --i) {
    if (s.ne[i] > 1) return i + 1;
  }
  return 1;
}

// llama.cpp's use_more_bits: the first and last eighth of the layers and every third between.
bool UseMoreBits(int64_t i, int64_t n) {
  return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

int64_t LayerOf(const std::string& name) {
  int layer = -1;
  if (std::sscanf(name.c_str(), "blk.%d.", &layer) != 1) return -1;
  return layer;
}

bool Fits(DType t, int64_t ne0) { return ne0 % GetDTypeInfo(t).block_size == 0; }

}  // namespace

bool ShouldQuantize(const std::string& name, const Shape& shape) {
  if (NumDims(shape) < 2) return false;
  for (const char* skip : {"_norm.weight", "ffn_gate_inp.weight", "attn_rel_b.weight",
                           "ssm_conv1d.weight", "ssm_x.weight", "ssm_dt.weight"}) {
    if (Has(name, skip)) return false;
  }
  return name != "position_embd.weight" && name != "token_types.weight";
}

TensorTypeRule::TensorTypeRule(const QuantPreset& preset, ModelFacts facts, bool pure,
                               bool has_importance)
    : preset_(preset), facts_(std::move(facts)), pure_(pure), has_importance_(has_importance) {}

DType TensorTypeRule::MixedType(const std::string& name, const Shape& shape) {
  using F = FileType;
  const F ft = preset_.file_type;
  DType t = preset_.base;
  const bool falcon = facts_.arch == "falcon";
  const int64_t n_gqa = facts_.n_head_kv > 0 ? facts_.n_head / facts_.n_head_kv : 1;
  if (name == "output.weight" || (!facts_.has_output && name == "token_embd.weight")) {
    if (falcon || shape.ne[0] % 256 != 0) return DType::kQ8_0;
    return t == DType::kQ8_0 ? t : DType::kQ6_K;
  }
  if (name == "token_embd.weight") return t;
  if (Has(name, "attn_v.weight")) {
    const int64_t i = i_attn_v_++, n = facts_.n_attn_v;
    if (ft == F::kQ2_K) {
      t = n_gqa >= 4 ? DType::kQ4_K : DType::kQ3_K;
    } else if (ft == F::kQ2_K_S && n_gqa >= 4) {
      t = DType::kQ4_K;
    } else if (ft == F::kQ3_K_M) {
      t = i < 2 ? DType::kQ5_K : DType::kQ4_K;
    } else if (ft == F::kQ3_K_L) {
      t = DType::kQ5_K;
    } else if ((ft == F::kIQ4_NL || ft == F::kIQ4_XS) && n_gqa >= 4) {
      t = DType::kQ5_K;
    } else if ((ft == F::kQ4_K_M || ft == F::kQ5_K_M) && UseMoreBits(i, n)) {
      t = DType::kQ6_K;
    } else if (ft == F::kQ4_K_S && i < 4) {
      t = DType::kQ5_K;
    }
    // llama.cpp's 70B rule (its llama 70B has 80 layers) and its 8-expert rule.
    if (facts_.arch == "llama" && facts_.n_layer == 80 &&
        (t == DType::kQ3_K || t == DType::kQ4_K)) {
      t = DType::kQ5_K;
    }
    if (facts_.n_expert == 8) t = DType::kQ8_0;
    return t;
  }
  if (Has(name, "attn_k.weight")) return facts_.n_expert == 8 ? DType::kQ8_0 : t;
  if (Has(name, "ffn_down")) {
    int64_t i = i_ffn_down_++;
    const int64_t n = facts_.n_layer;
    if (facts_.n_expert > 1) i = LayerOf(name);
    if (ft == F::kQ2_K) {
      t = DType::kQ3_K;
    } else if (ft == F::kQ2_K_S) {
      if (i < n / 8) t = DType::kQ4_K;
    } else if (ft == F::kQ3_K_M) {
      t = i < n / 16 ? DType::kQ5_K
          : (!falcon || UseMoreBits(i, n)) ? DType::kQ4_K : DType::kQ3_K;
    } else if (ft == F::kQ3_K_L) {
      t = falcon ? DType::kQ4_K : DType::kQ5_K;
    } else if (ft == F::kQ4_K_M) {
      if (falcon) {
        t = i < n / 16 ? DType::kQ6_K : UseMoreBits(i, n) ? DType::kQ5_K : DType::kQ4_K;
      } else if (UseMoreBits(i, n)) {
        t = DType::kQ6_K;
      }
    } else if (i < n / 8 && (ft == F::kIQ4_NL || ft == F::kIQ4_XS) && !has_importance_) {
      t = DType::kQ5_K;
    } else if (ft == F::kQ5_K_M && UseMoreBits(i, n)) {
      t = DType::kQ6_K;
    } else if (ft == F::kQ4_K_S && !falcon && i < n / 8) {
      t = DType::kQ5_K;
    } else if ((ft == F::kQ4_0 || ft == F::kQ5_0) && has_importance_ && i < n / 8) {
      t = ft == F::kQ4_0 ? DType::kQ4_1 : DType::kQ5_1;
    }
    return t;
  }
  if (Has(name, "attn_output.weight")) {
    if (falcon) return ft == F::kQ3_K_L ? DType::kQ4_K : t;
    if (facts_.n_expert == 8) {
      for (F f : {F::kQ2_K, F::kQ3_K_S, F::kQ3_K_M, F::kIQ4_NL, F::kQ4_K_S, F::kQ4_K_M,
                  F::kIQ4_XS}) {
        if (ft == f) return DType::kQ5_K;
      }
      return t;
    }
    if (ft == F::kQ2_K) return DType::kQ3_K;
    if (ft == F::kQ3_K_M) return DType::kQ4_K;
    if (ft == F::kQ3_K_L) return DType::kQ5_K;
    return t;
  }
  if (Has(name, "attn_qkv.weight")) {
    if (ft == F::kQ3_K_M || ft == F::kQ3_K_L) return DType::kQ4_K;
    if (ft == F::kQ4_K_M) return DType::kQ5_K;
    if (ft == F::kQ5_K_M) return DType::kQ6_K;
  }
  return t;
}

DType TensorTypeRule::Choose(const std::string& name, const Shape& shape, std::string* note) {
  const bool quantized_base = preset_.base != DType::kF32 && preset_.base != DType::kF16 &&
                              preset_.base != DType::kBF16;
  DType t = pure_ || !quantized_base ? preset_.base : MixedType(name, shape);
  if (Fits(t, shape.ne[0])) return t;
  DType fb;
  switch (t) {
    case DType::kQ2_K:
    case DType::kQ3_K:
    case DType::kIQ4_XS: fb = DType::kIQ4_NL; break;
    case DType::kQ4_K: fb = DType::kQ5_0; break;
    case DType::kQ5_K: fb = DType::kQ5_1; break;
    case DType::kQ6_K: fb = DType::kQ8_0; break;
    default: fb = DType::kF16; break;
  }
  if (!Fits(fb, shape.ne[0])) fb = DType::kF16;
  if (note != nullptr) {
    *note = name + ": rows of " + std::to_string(shape.ne[0]) + " values are not a multiple of " +
            std::to_string(GetDTypeInfo(t).block_size) + " (" + DTypeName(t) + "); using " +
            DTypeName(fb);
  }
  return fb;
}

void SortForQuantize(std::vector<std::string>& names) {
  std::stable_sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    const int64_t la = LayerOf(a), lb = LayerOf(b);
    if (la != lb) return la < lb;
    return a < b;
  });
}

}  // namespace miaotui::compress
