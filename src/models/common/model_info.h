// Filling ModelInfo, the part every architecture shares: identity, sizes for sessions, counts
// from the WeightSource, and the common hyperparameters in a fixed order for `miaotui info`.
#pragma once

#include <string>

#include "models/model.h"
#include "models/weight_source.h"

namespace miaotui::models {

struct CommonDims {
  int64_t n_vocab = 0, n_embd = 0, n_ff = 0, n_layer = 0, n_head = 0, n_ctx_train = 0;
  int64_t kv_dim = 0;  // K (and V) values per token per layer
};

template <typename T>
void AddHparam(ModelInfo* info, const char* key, T value) {
  info->hparams.emplace_back(key, std::to_string(value));
}

inline void FillCommonInfo(ModelInfo* info, const std::string& arch, const std::string& path,
                           const std::string& format, const CommonDims& d,
                           const WeightSource& source) {
  info->arch = arch;
  info->path = path;
  info->format = format;
  info->n_vocab = d.n_vocab;
  info->n_embd = d.n_embd;
  info->n_ctx_train = d.n_ctx_train;
  info->n_layer = d.n_layer;
  info->kv_dim = d.kv_dim;
  info->n_params = source.n_params();
  info->weight_bytes = source.n_bytes();
  info->tensor_types.assign(source.type_counts().begin(), source.type_counts().end());
  AddHparam(info, "n_vocab", d.n_vocab);
  AddHparam(info, "n_embd", d.n_embd);
  AddHparam(info, "n_ff", d.n_ff);
  AddHparam(info, "n_layer", d.n_layer);
  AddHparam(info, "n_head", d.n_head);
  AddHparam(info, "n_ctx_train", d.n_ctx_train);
}

}  // namespace miaotui::models
