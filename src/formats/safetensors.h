// Safetensors reader (single file and sharded Hugging Face folders) and writer.
//
// File layout (facts of the format): an 8-byte little-endian header length N, N bytes of JSON
// (an object mapping tensor names to {"dtype", "shape", "data_offsets": [begin, end]}, plus an
// optional "__metadata__" object of strings), then the data section; offsets are relative to it.
//
// SafetensorsFile::Open maps the file and validates everything before returning: N within the
// file and at most 100 MB, the header a JSON object, every entry's fields present with the right
// JSON types, dtype one of the safetensors dtypes, shape dims non-negative with no overflow,
// 0 <= begin <= end <= data section size, and end - begin == elements * element size. Errors name
// the file, the tensor and the field. A dtype with no DType counterpart (BOOL, U8, U16, U32, U64,
// F8_E4M3, F8_E5M2) is accepted at open (dtype == nullopt); View() of such a tensor, or of one
// with more than 4 dims, is an error naming the tensor and the reason. Bytes() always works.
//
// Shapes: `raw_shape` is as stored (row-major, outermost first); `shape` is the same in GGUF
// order (ne[0] innermost = last raw dim), valid when raw_shape has at most 4 dims.
// A SafetensorsFile is immutable after Open and safe to read from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/mmap_file.h"
#include "base/status.h"
#include "tensor/tensor_view.h"

namespace miaotui::formats {

inline constexpr uint64_t kSafetensorsMaxHeaderBytes = 100ull << 20;

struct SafetensorsTensorInfo {
  std::string name;
  std::string dtype_name;       // as in the header: "F16", "BF16", "U8", ...
  std::optional<DType> dtype;   // nullopt when no DType matches
  std::vector<int64_t> raw_shape;  // as stored: outermost first
  Shape shape;                  // GGUF order; meaningful only if raw_shape.size() <= 4
  uint64_t begin = 0;           // data_offsets, relative to the data section
  uint64_t end = 0;
  uint64_t n_bytes() const { return end - begin; }
};

// Element size in bytes of a safetensors dtype name; 0 for an unknown name.
uint64_t SafetensorsDTypeSize(std::string_view dtype_name);
// The DType of a safetensors dtype name, if one exists (F32, F16, BF16, F64, I8..I64).
std::optional<DType> SafetensorsToDType(std::string_view dtype_name);

class SafetensorsFile {
 public:
  static Result<std::unique_ptr<SafetensorsFile>> Open(const std::string& path);

  const std::string& path() const { return map_.path(); }
  uint64_t data_offset() const { return data_offset_; }  // absolute start of the data section
  // Tensors in data order (ascending begin).
  const std::vector<SafetensorsTensorInfo>& tensors() const { return tensors_; }
  const SafetensorsTensorInfo* FindTensor(std::string_view name) const;  // nullptr if absent
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // The tensor's bytes inside the mapping.
  std::span<const uint8_t> Bytes(const SafetensorsTensorInfo& t) const;
  // A view in GGUF order; InvalidArgument if the dtype has no DType or there are > 4 dims.
  Result<TensorView> View(const SafetensorsTensorInfo& t) const;

 private:
  friend class SafetensorsParser;
  SafetensorsFile() = default;
  MappedFile map_;
  uint64_t data_offset_ = 0;
  std::vector<SafetensorsTensorInfo> tensors_;
  std::unordered_map<std::string, size_t> by_name_;
  std::map<std::string, std::string> metadata_;
};

// The weights of a Hugging Face model folder: `model.safetensors`, or the shards listed in
// `model.safetensors.index.json` ("weight_map": tensor name -> shard file name). Shard names must
// be plain file names inside the folder. A tensor name found in two shards, or a weight_map entry
// whose shard lacks the tensor, is an error.
class SafetensorsSet {
 public:
  static Result<std::unique_ptr<SafetensorsSet>> OpenFolder(const std::string& dir);

  struct Entry {
    const SafetensorsFile* file = nullptr;
    const SafetensorsTensorInfo* info = nullptr;
  };
  const std::string& dir() const { return dir_; }
  const std::vector<std::unique_ptr<SafetensorsFile>>& files() const { return files_; }
  // Every tensor name, sorted.
  std::vector<std::string> TensorNames() const;
  std::optional<Entry> Find(std::string_view name) const;
  // NotFound (naming the folder and tensor) if absent; otherwise SafetensorsFile::View.
  Result<TensorView> View(std::string_view name) const;

 private:
  SafetensorsSet() = default;
  Status AddFile(std::unique_ptr<SafetensorsFile> f);
  std::string dir_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::unordered_map<std::string, Entry> by_name_;
};

// One tensor for WriteSafetensors. `data` must hold product(shape) * element size bytes.
struct SafetensorsWriteTensor {
  std::string name;
  std::string dtype;           // safetensors dtype name, e.g. "F32"
  std::vector<int64_t> shape;  // row-major, outermost first
  const void* data = nullptr;
};

// Writes a safetensors file atomically (header padded with spaces to a multiple of 8, tensors in
// the given order). Fails on duplicate names, unknown dtypes or negative dims.
Status WriteSafetensors(const std::string& path, const std::vector<SafetensorsWriteTensor>& tensors,
                        const std::map<std::string, std::string>& metadata = {});

}  // namespace miaotui::formats
