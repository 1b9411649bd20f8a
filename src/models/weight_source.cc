#include "models/weight_source.h"

#include <cstring>

#include "kernels/matmul.h"
#include "kernels/vec.h"

namespace miaotui::models {

WeightSource::WeightSource(std::shared_ptr<const formats::GgufFile> gguf)
    : path_(gguf->path()), gguf_(std::move(gguf)) {}

WeightSource::~WeightSource() = default;

bool WeightSource::Has(const std::string& name) const { return Find(name).ok(); }

Result<TensorView> WeightSource::Find(const std::string& name) const {
  if (gguf_) {
    const formats::GgufTensorInfo* t = gguf_->FindTensor(name);
    if (!t) return NotFound(path_ + ": missing tensor '" + name + "'");
    return gguf_->View(*t);
  }
  return FindSafetensors(name);
}

Result<TensorView> WeightSource::Matrix(const std::string& name, const Shape& expected) {
  MT_ASSIGN_OR_RETURN(TensorView v, Find(name));
  if (!(v.shape == expected)) {
    return InvalidArgument(path_ + ": tensor '" + name + "' has shape " + v.shape.ToString() +
                           " but the config implies " + expected.ToString());
  }
  if (!kernels::MatMulSupports(v.dtype)) {
    return Unimplemented(path_ + ": tensor '" + name + "' has type " + DTypeName(v.dtype) +
                         ", which this build cannot compute with yet");
  }
  n_params_ += v.shape.NumElements();
  n_bytes_ += static_cast<int64_t>(v.bytes());
  type_counts_[DTypeName(v.dtype)]++;
  return v;
}

Result<TensorView> WeightSource::Vector(const std::string& name, int64_t n) {
  MT_ASSIGN_OR_RETURN(TensorView v, Find(name));
  if (v.shape.NumElements() != n || v.shape.ne[0] != n) {
    return InvalidArgument(path_ + ": tensor '" + name + "' has shape " + v.shape.ToString() +
                           " but the config implies [" + std::to_string(n) + "]");
  }
  n_params_ += n;
  n_bytes_ += static_cast<int64_t>(v.bytes());
  type_counts_[DTypeName(v.dtype)]++;
  if (v.dtype == DType::kF32) return v;
  if (v.dtype != DType::kF16 && v.dtype != DType::kBF16) {
    return Unimplemented(path_ + ": tensor '" + name + "' has type " + DTypeName(v.dtype) +
                         "; vectors must be F32, F16 or BF16");
  }
  AlignedBuffer buf = AlignedAlloc(static_cast<size_t>(n) * sizeof(float));
  kernels::ToF32(v.dtype, v.data, reinterpret_cast<float*>(buf.get()), n);
  TensorView out = v;
  out.data = buf.get();
  out.dtype = DType::kF32;
  owned_.push_back(std::move(buf));
  return out;
}

}  // namespace miaotui::models
