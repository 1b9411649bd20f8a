// WeightSource: finds a model's tensors by name in a GGUF file or a set of safetensors files and
// checks each against what the architecture expects, so a model never runs on a tensor of the
// wrong shape. Owns the mapped files and any weights converted at load (1-D tensors such as norm
// weights are always handed out as F32).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/aligned.h"
#include "base/status.h"
#include "formats/gguf.h"
#include "tensor/tensor_view.h"

namespace miaotui::formats {
class SafetensorsSet;
}

namespace miaotui::models {

class WeightSource {
 public:
  explicit WeightSource(std::shared_ptr<const formats::GgufFile> gguf);
  explicit WeightSource(std::shared_ptr<const formats::SafetensorsSet> st);
  ~WeightSource();

  const std::string& path() const { return path_; }

  // The tensor `name` with exactly `expected` shape (GGUF order). Errors:
  //   "<file>: missing tensor '<name>'"
  //   "<file>: tensor '<name>' has shape [64, 32] but the config implies [64, 512]"
  //   "<file>: tensor '<name>' has type Q4_0, which this build cannot compute with"
  // A matrix (2-D) must have a type the matmul kernels support; a vector is converted to F32.
  Result<TensorView> Matrix(const std::string& name, const Shape& expected);
  Result<TensorView> Vector(const std::string& name, int64_t n);
  // A matrix stored transposed, i.e. (out, in) in GGUF order as Hugging Face's Conv1D keeps it;
  // returned in the usual (in, out) layout as an owned copy of the same type.
  Result<TensorView> MatrixTransposed(const std::string& name, const Shape& expected);
  bool Has(const std::string& name) const;
  // Columns [begin, begin + count) of every row of `v` (a tensor-parallel shard of an input
  // dimension), as an owned copy: only those bytes of each row are read. For a block-quantized
  // type, begin and count must be multiples of the block size (else an error naming `name`).
  Result<TensorView> ColumnSlice(const TensorView& v, int64_t begin, int64_t count,
                                 const std::string& name);

  // The first tensor handed out that holds a NaN or Inf (after dequantization), as
  // "tensor 'NAME' row R"; nothing when all are finite. Reads every weight: slow.
  std::optional<std::string> FindNonFinite() const;

  // Drops this process's pages of [p, p + n) where the range lies in a mapped GGUF file (whole
  // pages inside it only): the caller no longer reads them (a packed copy replaced them). A later
  // read faults them back in from the page cache, unchanged; anything else is left alone.
  void ReleaseMapped(const void* p, size_t n) const;

  int64_t n_params() const { return n_params_; }
  int64_t n_bytes() const { return n_bytes_; }
  // How many tensors of each type were handed out, e.g. {"F16": 154, "F32": 45}.
  const std::map<std::string, int64_t>& type_counts() const { return type_counts_; }

 private:
  Result<TensorView> Find(const std::string& name) const;
  Result<TensorView> FindSafetensors(const std::string& name) const;

  std::string path_;
  std::shared_ptr<const formats::GgufFile> gguf_;
  std::shared_ptr<const formats::SafetensorsSet> st_;
  std::vector<AlignedBuffer> owned_;
  std::vector<std::pair<std::string, TensorView>> handed_out_;
  int64_t n_params_ = 0;
  int64_t n_bytes_ = 0;
  std::map<std::string, int64_t> type_counts_;
};

// A per-layer tensor name: "{}" in `pattern` replaced by the layer index.
std::string LayerName(const std::string& pattern, int64_t layer);

// Rows [begin, begin + count) of a dense matrix or vector view (e.g. Q, K, V of a fused QKV).
TensorView RowSlice(const TensorView& v, int64_t begin, int64_t count);
// Elements [begin, begin + count) of a 1-D view.
TensorView VectorSlice(const TensorView& v, int64_t begin, int64_t count);

}  // namespace miaotui::models
