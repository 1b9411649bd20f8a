#include "models/weight_source.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
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
  handed_out_.emplace_back(name, v);
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
  handed_out_.emplace_back(name, v);
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

Result<TensorView> WeightSource::MatrixTransposed(const std::string& name, const Shape& expected) {
  const Shape stored = Shape::Of(expected.ne[1], expected.ne[0]);
  MT_ASSIGN_OR_RETURN(TensorView v, Matrix(name, stored));
  const int64_t rows = stored.ne[1], cols = stored.ne[0];
  const size_t elem = RowBytes(v.dtype, 1);
  if (RowBytes(v.dtype, cols) != elem * static_cast<size_t>(cols)) {
    return Unimplemented(path_ + ": tensor '" + name + "' is block-quantized and stored "
                         "transposed; transpose it when converting");
  }
  AlignedBuffer buf = AlignedAlloc(v.bytes());
  const auto* src = static_cast<const uint8_t*>(v.data);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      std::memcpy(buf.get() + (c * rows + r) * elem, src + (r * cols + c) * elem, elem);
    }
  }
  TensorView out = v;
  out.data = buf.get();
  out.shape = expected;
  owned_.push_back(std::move(buf));
  return out;
}

Result<TensorView> WeightSource::ColumnSlice(const TensorView& v, int64_t begin, int64_t count,
                                             const std::string& name) {
  const int64_t block = GetDTypeInfo(v.dtype).block_size;
  if (begin % block != 0 || count % block != 0 || begin < 0 || begin + count > v.cols()) {
    return InvalidArgument(path_ + ": tensor '" + name + "' (" + DTypeName(v.dtype) + ", " +
                           std::to_string(v.cols()) + " columns) cannot be split at columns [" +
                           std::to_string(begin) + ", " + std::to_string(begin + count) +
                           "): shards must be whole blocks of " + std::to_string(block));
  }
  const size_t skip = RowBytes(v.dtype, begin), row = RowBytes(v.dtype, count);
  AlignedBuffer buf = AlignedAlloc(row * static_cast<size_t>(v.rows()));
  for (int64_t r = 0; r < v.rows(); ++r) {
    std::memcpy(buf.get() + r * row, v.row(r) + skip, row);
  }
  TensorView out = v;
  out.data = buf.get();
  out.shape = Shape::Of(count, v.rows());
  owned_.push_back(std::move(buf));
  return out;
}

std::optional<std::string> WeightSource::FindNonFinite() const {
  std::vector<float> row;
  for (const auto& [name, v] : handed_out_) {
    row.resize(static_cast<size_t>(v.cols()));
    for (int64_t r = 0; r < v.rows(); ++r) {
      kernels::ToF32(v.dtype, v.row(r), row.data(), v.cols());
      for (float x : row) {
        if (!std::isfinite(x)) return "tensor '" + name + "' row " + std::to_string(r);
      }
    }
  }
  return std::nullopt;
}

void WeightSource::ReleaseMapped(const void* p, size_t n) const {
  if (!gguf_) return;
  const auto begin = reinterpret_cast<uintptr_t>(p), end = begin + n;
  const auto file = reinterpret_cast<uintptr_t>(gguf_->raw_data());
  if (begin < file || end > file + gguf_->file_size()) return;
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

std::string LayerName(const std::string& pattern, int64_t layer) {
  std::string s = pattern;
  size_t at = s.find("{}");
  if (at != std::string::npos) s.replace(at, 2, std::to_string(layer));
  return s;
}

TensorView RowSlice(const TensorView& v, int64_t begin, int64_t count) {
  TensorView out = v;
  out.data = v.row(begin);
  out.shape = Shape::Of(v.cols(), count);
  return out;
}

TensorView VectorSlice(const TensorView& v, int64_t begin, int64_t count) {
  TensorView out = v;
  out.data = static_cast<const uint8_t*>(v.data) + RowBytes(v.dtype, begin);
  out.shape = Shape::Of(count);
  return out;
}

}  // namespace miaotui::models
