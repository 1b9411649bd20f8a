// WeightSource over a Hugging Face folder's safetensors files.
#include "formats/safetensors.h"
#include "models/weight_source.h"

namespace miaotui::models {

WeightSource::WeightSource(std::shared_ptr<const formats::SafetensorsSet> st)
    : path_(st->dir()), st_(std::move(st)) {}

Result<TensorView> WeightSource::FindSafetensors(const std::string& name) const {
  if (!st_->Find(name)) return NotFound(path_ + ": missing tensor '" + name + "'");
  return st_->View(name);
}

}  // namespace miaotui::models
