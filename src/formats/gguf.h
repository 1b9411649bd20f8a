// GGUF v2/v3 reader and writer.
//
// GgufFile::Open maps the file read-only and parses the header, every metadata key/value (all
// value types, nested arrays included) and every tensor info. Before any byte is read, each count,
// length and offset is checked against the file's size, so a truncated or hostile file yields a
// Status naming the file and the field or tensor - never a crash or a huge allocation.
// Tensor data is not copied: TensorData() points into the mapping, which lives as long as the
// GgufFile. A GgufFile is immutable after Open and safe to read from any thread.
//
// Validation done by Open: magic and version (1 and big-endian files are refused with a clear
// message), every value type id, general.alignment (an integer, nonzero power of two; default 32),
// keys and tensor names unique, n_dims in 1..4, ne[i] >= 0 with no overflow in the element or byte
// count, ne[0] a multiple of the type's block size, known tensor type ids, tensor offsets multiples
// of the alignment and tensor data inside the file. Limits against hostile files: arrays nest at
// most 16 deep and all metadata arrays together hold at most 2^23 elements.
//
// GgufWriter collects metadata and tensors and writes a GGUF v3 file atomically (temporary file,
// then rename), with general.alignment respected (default 32).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/mmap_file.h"
#include "base/status.h"
#include "tensor/tensor_view.h"

namespace miaotui::formats {

// GGUF metadata value type ids (facts of the format).
enum class GgufValueType : uint32_t {
  kUint8 = 0, kInt8 = 1, kUint16 = 2, kInt16 = 3, kUint32 = 4, kInt32 = 5, kFloat32 = 6,
  kBool = 7, kString = 8, kArray = 9, kUint64 = 10, kInt64 = 11, kFloat64 = 12,
};
const char* GgufValueTypeName(GgufValueType t);

// One metadata value. Scalars are widened into the matching field; strings are copied; arrays
// hold their element type and elements (which may themselves be arrays).
struct GgufValue {
  GgufValueType type = GgufValueType::kUint8;
  uint64_t u = 0;     // unsigned ints and bool
  int64_t i = 0;      // signed ints
  double f = 0;       // floats
  std::string s;      // string
  GgufValueType elem_type = GgufValueType::kUint8;  // arrays
  std::vector<GgufValue> elems;                      // arrays

  bool IsInteger() const;
  bool IsFloat() const;
  // A short rendering for `miaotui info`: scalars as-is, arrays as "[type x N]".
  std::string ToString() const;
};

struct GgufKv {
  std::string key;
  GgufValue value;
};

struct GgufTensorInfo {
  std::string name;
  DType dtype = DType::kF32;
  Shape shape;             // GGUF order: ne[0] innermost
  uint64_t offset = 0;     // relative to the start of the data section
  uint64_t n_bytes = 0;    // computed from dtype and shape
};

class GgufFile {
 public:
  static Result<std::unique_ptr<GgufFile>> Open(const std::string& path);

  const std::string& path() const { return map_.path(); }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // absolute offset of the data section
  uint64_t file_size() const { return map_.size(); }
  const uint8_t* raw_data() const { return map_.data(); }  // the whole mapped file

  const std::vector<GgufKv>& metadata() const { return kvs_; }
  const GgufValue* Find(std::string_view key) const;  // nullptr if absent

  // Typed getters: NotFound if absent, InvalidArgument (naming key, expected and found type) if
  // the type does not fit. Integers accept any integer type whose value fits; floats accept
  // float32/float64 (and integers).
  Result<std::string> GetString(std::string_view key) const;
  Result<int64_t> GetInt(std::string_view key) const;
  Result<double> GetFloat(std::string_view key) const;
  Result<bool> GetBool(std::string_view key) const;
  Result<std::vector<std::string>> GetStringArray(std::string_view key) const;
  Result<std::vector<float>> GetFloatArray(std::string_view key) const;
  Result<std::vector<int64_t>> GetIntArray(std::string_view key) const;
  // Same, with a default when the key is absent (a wrong type is still an error).
  Result<int64_t> GetIntOr(std::string_view key, int64_t def) const;
  Result<double> GetFloatOr(std::string_view key, double def) const;
  Result<bool> GetBoolOr(std::string_view key, bool def) const;
  Result<std::string> GetStringOr(std::string_view key, std::string def) const;

  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* FindTensor(std::string_view name) const;  // nullptr if absent
  // A view of the tensor's bytes inside the mapping.
  TensorView View(const GgufTensorInfo& t) const;

 private:
  friend class GgufParser;  // gguf_reader.cc fills the fields below
  GgufFile() = default;
  MappedFile map_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<GgufKv> kvs_;
  std::vector<GgufTensorInfo> tensors_;
  std::vector<uint32_t> kv_by_key_;       // indices into kvs_, sorted by key
  std::vector<uint32_t> tensor_by_name_;  // indices into tensors_, sorted by name
};

class GgufWriter {
 public:
  void SetUint32(const std::string& key, uint32_t v);
  void SetInt32(const std::string& key, int32_t v);
  void SetUint64(const std::string& key, uint64_t v);
  void SetFloat32(const std::string& key, float v);
  void SetBool(const std::string& key, bool v);
  void SetString(const std::string& key, const std::string& v);
  void SetStringArray(const std::string& key, const std::vector<std::string>& v);
  void SetFloat32Array(const std::string& key, const std::vector<float>& v);
  void SetInt32Array(const std::string& key, const std::vector<int32_t>& v);
  void SetValue(const std::string& key, const GgufValue& v);  // any value, e.g. copied from a file
  // Setting a key that is already set replaces its value and keeps its position.
  // Adds a tensor. The bytes are NOT copied: `data` must stay valid until Write() returns.
  // REQUIRES: data holds exactly RowBytes(dtype, shape.ne[0]) * shape.NumRows() bytes.
  void AddTensor(const std::string& name, DType dtype, const Shape& shape, const void* data);

  // Writes a GGUF v3 file atomically; never leaves a partial file at `path`. Tensor data is
  // streamed from the caller's buffers (never gathered in memory). Errors (duplicate tensor
  // names, bad shapes, a general.alignment that is not a power of two, array elements whose type
  // differs from the array's elem_type) are reported before anything is written.
  Status Write(const std::string& path) const;

 private:
  struct PendingTensor {
    std::string name;
    DType dtype;
    Shape shape;
    const void* data;
  };
  std::vector<GgufKv> kvs_;
  std::vector<PendingTensor> tensors_;
};

}  // namespace miaotui::formats
