// GgufFile lookups: Find/FindTensor (binary search over the sorted indices built by the parser),
// the typed metadata getters and tensor views.
#include <algorithm>
#include <limits>
#include <string>

#include "formats/gguf.h"
#include "formats/gguf_internal.h"

namespace miaotui::formats {

namespace {

bool IsIntegerType(GgufValueType t) {
  GgufValue v;
  v.type = t;
  return v.IsInteger();
}

// A value's type for messages: "uint32", "array of string".
std::string TypeForMessage(const GgufValue& v) {
  if (v.type != GgufValueType::kArray) return GgufValueTypeName(v.type);
  return std::string("array of ") + GgufValueTypeName(v.elem_type);
}

// Converts an integer value to int64; false if it does not fit.
bool IntOf(const GgufValue& v, int64_t* out) {
  if (GgufIsSignedType(v.type)) {
    *out = v.i;
    return true;
  }
  if (v.u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  *out = static_cast<int64_t>(v.u);
  return true;
}

double FloatOf(const GgufValue& v) {
  if (v.IsFloat()) return v.f;
  return GgufIsSignedType(v.type) ? static_cast<double>(v.i) : static_cast<double>(v.u);
}

}  // namespace

const GgufValue* GgufFile::Find(std::string_view key) const {
  auto it = std::lower_bound(kv_by_key_.begin(), kv_by_key_.end(), key,
                             [&](uint32_t k, std::string_view x) { return kvs_[k].key < x; });
  if (it == kv_by_key_.end() || kvs_[*it].key != key) return nullptr;
  return &kvs_[*it].value;
}

const GgufTensorInfo* GgufFile::FindTensor(std::string_view name) const {
  auto it = std::lower_bound(
      tensor_by_name_.begin(), tensor_by_name_.end(), name,
      [&](uint32_t k, std::string_view x) { return tensors_[k].name < x; });
  if (it == tensor_by_name_.end() || tensors_[*it].name != name) return nullptr;
  return &tensors_[*it];
}

TensorView GgufFile::View(const GgufTensorInfo& t) const {
  TensorView v;
  v.data = map_.data() + data_offset_ + t.offset;
  v.dtype = t.dtype;
  v.shape = t.shape;
  return v;
}

// Finds `key` and checks its type with `fits`; the error names the key, expected and found.
#define MT_GGUF_LOOKUP_(var, key, fits, expected)                                             \
  const GgufValue* var = Find(key);                                                           \
  if (var == nullptr) return NotFound(path() + ": key '" + std::string(key) + "' not found"); \
  if (!(fits)) {                                                                              \
    return InvalidArgument(path() + ": key '" + std::string(key) + "' has type " +            \
                           TypeForMessage(*var) + ", expected " + (expected));                \
  }

Result<std::string> GgufFile::GetString(std::string_view key) const {
  MT_GGUF_LOOKUP_(v, key, v->type == GgufValueType::kString, "string");
  return v->s;
}

Result<int64_t> GgufFile::GetInt(std::string_view key) const {
  MT_GGUF_LOOKUP_(v, key, v->IsInteger(), "an integer");
  int64_t x = 0;
  if (!IntOf(*v, &x)) {
    return OutOfRange(path() + ": key '" + std::string(key) + "' is " + v->ToString() +
                      ", which does not fit a signed 64-bit integer");
  }
  return x;
}

Result<double> GgufFile::GetFloat(std::string_view key) const {
  MT_GGUF_LOOKUP_(v, key, v->IsFloat() || v->IsInteger(), "a number");
  return FloatOf(*v);
}

Result<bool> GgufFile::GetBool(std::string_view key) const {
  MT_GGUF_LOOKUP_(v, key, v->type == GgufValueType::kBool, "bool");
  return v->u != 0;
}

Result<std::vector<std::string>> GgufFile::GetStringArray(std::string_view key) const {
  MT_GGUF_LOOKUP_(v, key,
                  v->type == GgufValueType::kArray && v->elem_type == GgufValueType::kString,
                  "array of string");
  std::vector<std::string> out;
  out.reserve(v->elems.size());
  for (const GgufValue& e : v->elems) out.push_back(e.s);
  return out;
}

Result<std::vector<float>> GgufFile::GetFloatArray(std::string_view key) const {
  MT_GGUF_LOOKUP_(v, key,
                  v->type == GgufValueType::kArray && v->elem_type != GgufValueType::kArray &&
                      v->elem_type != GgufValueType::kString &&
                      v->elem_type != GgufValueType::kBool,
                  "array of numbers");
  std::vector<float> out;
  out.reserve(v->elems.size());
  for (const GgufValue& e : v->elems) out.push_back(static_cast<float>(FloatOf(e)));
  return out;
}

Result<std::vector<int64_t>> GgufFile::GetIntArray(std::string_view key) const {
  MT_GGUF_LOOKUP_(v, key, v->type == GgufValueType::kArray && IsIntegerType(v->elem_type),
                  "array of integers");
  std::vector<int64_t> out;
  out.reserve(v->elems.size());
  for (size_t k = 0; k < v->elems.size(); ++k) {
    int64_t x = 0;
    if (!IntOf(v->elems[k], &x)) {
      return OutOfRange(path() + ": key '" + std::string(key) + "' element " +
                        std::to_string(k) + " does not fit a signed 64-bit integer");
    }
    out.push_back(x);
  }
  return out;
}

#undef MT_GGUF_LOOKUP_

Result<int64_t> GgufFile::GetIntOr(std::string_view key, int64_t def) const {
  if (Find(key) == nullptr) return def;
  return GetInt(key);
}

Result<double> GgufFile::GetFloatOr(std::string_view key, double def) const {
  if (Find(key) == nullptr) return def;
  return GetFloat(key);
}

Result<bool> GgufFile::GetBoolOr(std::string_view key, bool def) const {
  if (Find(key) == nullptr) return def;
  return GetBool(key);
}

Result<std::string> GgufFile::GetStringOr(std::string_view key, std::string def) const {
  if (Find(key) == nullptr) return def;
  return GetString(key);
}

}  // namespace miaotui::formats
