// SafetensorsFile: header parsing and validation, lookups and views (see safetensors.h).
#include "formats/safetensors.h"

#include <algorithm>
#include <cstring>

#include "formats/json_file.h"

namespace miaotui::formats {

namespace {

using nlohmann::json;

struct DTypeRow {
  const char* name;
  uint64_t size;
  std::optional<DType> dtype;
};

// The safetensors dtypes (facts of the format) and their DType where one exists.
const DTypeRow kDTypes[] = {
    {"F64", 8, DType::kF64},   {"F32", 4, DType::kF32},  {"F16", 2, DType::kF16},
    {"BF16", 2, DType::kBF16}, {"I64", 8, DType::kI64},  {"I32", 4, DType::kI32},
    {"I16", 2, DType::kI16},   {"I8", 1, DType::kI8},    {"U64", 8, std::nullopt},
    {"U32", 4, std::nullopt},  {"U16", 2, std::nullopt}, {"U8", 1, std::nullopt},
    {"BOOL", 1, std::nullopt}, {"F8_E4M3", 1, std::nullopt}, {"F8_E5M2", 1, std::nullopt},
};

const DTypeRow* FindDType(std::string_view name) {
  for (const DTypeRow& r : kDTypes) {
    if (name == r.name) return &r;
  }
  return nullptr;
}

uint64_t ReadLe64(const uint8_t* p) {
  uint64_t x = 0;
  for (int k = 7; k >= 0; --k) x = (x << 8) | p[k];
  return x;
}

}  // namespace

uint64_t SafetensorsDTypeSize(std::string_view name) {
  const DTypeRow* r = FindDType(name);
  return r ? r->size : 0;
}

std::optional<DType> SafetensorsToDType(std::string_view name) {
  const DTypeRow* r = FindDType(name);
  return r ? r->dtype : std::nullopt;
}

// Parses the header of a mapped file into a SafetensorsFile. Messages lack the path prefix.
class SafetensorsParser {
 public:
  explicit SafetensorsParser(SafetensorsFile* f) : f_(f) {}

  Status Parse() {
    const uint64_t size = f_->map_.size();
    if (size < 8) {
      return DataLoss("file has " + std::to_string(size) +
                      " bytes, too short for the 8-byte header length");
    }
    const uint64_t n = ReadLe64(f_->map_.data());
    if (n > size - 8) {
      return DataLoss("header length " + std::to_string(n) + " runs past the end of the file (" +
                      std::to_string(size) + " bytes; truncated?)");
    }
    if (n > kSafetensorsMaxHeaderBytes) {
      return InvalidArgument("header length " + std::to_string(n) + " exceeds the limit of " +
                             std::to_string(kSafetensorsMaxHeaderBytes) + " bytes");
    }
    f_->data_offset_ = 8 + n;
    data_size_ = size - 8 - n;
    std::string_view text(reinterpret_cast<const char*>(f_->map_.data()) + 8, n);
    MT_ASSIGN_OR_RETURN(json header, ParseJson(text, "header"));
    if (!header.is_object()) {
      return InvalidArgument("header is " + JsonDescribe(header) + ", expected a JSON object");
    }
    for (auto it = header.begin(); it != header.end(); ++it) {
      if (it.key() == "__metadata__") {
        MT_RETURN_IF_ERROR(ParseMetadata(it.value()));
        continue;
      }
      SafetensorsTensorInfo t;
      t.name = it.key();
      Status st = ParseTensor(it.value(), &t);
      if (!st.ok()) return st.WithPrefix("tensor '" + t.name + "'");
      f_->tensors_.push_back(std::move(t));
    }
    std::sort(f_->tensors_.begin(), f_->tensors_.end(),
              [](const auto& a, const auto& b) { return a.begin < b.begin; });
    for (size_t k = 0; k < f_->tensors_.size(); ++k) f_->by_name_[f_->tensors_[k].name] = k;
    return Status::Ok();
  }

 private:
  Status ParseMetadata(const json& m) {
    if (!m.is_object()) {
      return InvalidArgument("__metadata__ is " + JsonDescribe(m) + ", expected an object");
    }
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (!it.value().is_string()) {
        return InvalidArgument("__metadata__ '" + it.key() + "' is " +
                               JsonDescribe(it.value()) + ", expected a string");
      }
      f_->metadata_[it.key()] = it.value().get<std::string>();
    }
    return Status::Ok();
  }

  // A non-negative integer that fits int64.
  static bool Count(const json& v, uint64_t* out) {
    if (!v.is_number_unsigned()) return false;
    *out = v.get<uint64_t>();
    return *out <= static_cast<uint64_t>(INT64_MAX);
  }

  Status ParseTensor(const json& e, SafetensorsTensorInfo* t) {
    if (!e.is_object()) return InvalidArgument("is " + JsonDescribe(e) + ", expected an object");
    auto dtype = e.find("dtype");
    if (dtype == e.end() || !dtype->is_string()) {
      return InvalidArgument("field 'dtype' is " +
                             (dtype == e.end() ? "missing" : JsonDescribe(*dtype)) +
                             ", expected a string");
    }
    t->dtype_name = dtype->get<std::string>();
    const uint64_t elem_size = SafetensorsDTypeSize(t->dtype_name);
    if (elem_size == 0) return InvalidArgument("has unknown dtype '" + t->dtype_name + "'");
    t->dtype = SafetensorsToDType(t->dtype_name);
    auto shape = e.find("shape");
    if (shape == e.end() || !shape->is_array()) {
      return InvalidArgument("field 'shape' is " +
                             (shape == e.end() ? "missing" : JsonDescribe(*shape)) +
                             ", expected an array of non-negative integers");
    }
    uint64_t elems = 1;
    for (const json& d : *shape) {
      uint64_t dim = 0;
      if (!Count(d, &dim)) {
        return InvalidArgument("field 'shape' has " + JsonDescribe(d) +
                               ", expected a non-negative integer");
      }
      if (__builtin_mul_overflow(elems, dim, &elems)) {
        return InvalidArgument("field 'shape' " + shape->dump() + " has too many elements");
      }
      t->raw_shape.push_back(static_cast<int64_t>(dim));
    }
    const size_t nd = t->raw_shape.size();
    t->shape.n_dims = static_cast<int>(nd);
    for (size_t k = 0; k < nd && k < 4; ++k) t->shape.ne[k] = t->raw_shape[nd - 1 - k];
    auto offsets = e.find("data_offsets");
    uint64_t begin = 0, end = 0;
    if (offsets == e.end() || !offsets->is_array() || offsets->size() != 2 ||
        !Count((*offsets)[0], &begin) || !Count((*offsets)[1], &end)) {
      return InvalidArgument("field 'data_offsets' is " +
                             (offsets == e.end() ? "missing" : offsets->dump()) +
                             ", expected [begin, end] (non-negative integers)");
    }
    if (begin > end || end > data_size_) {
      return DataLoss("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                      "] are outside the data section of " + std::to_string(data_size_) +
                      " bytes");
    }
    uint64_t bytes = 0;
    const bool overflow = __builtin_mul_overflow(elems, elem_size, &bytes);
    if (overflow || bytes != end - begin) {
      return DataLoss("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                      "] span " + std::to_string(end - begin) + " bytes but shape " +
                      shape->dump() + " of " + t->dtype_name + " needs " +
                      (overflow ? std::string("more than 2^64") : std::to_string(bytes)));
    }
    t->begin = begin;
    t->end = end;
    return Status::Ok();
  }

  SafetensorsFile* f_;
  uint64_t data_size_ = 0;
};

Result<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  MT_ASSIGN_OR_RETURN(MappedFile map, MappedFile::Open(path));
  std::unique_ptr<SafetensorsFile> f(new SafetensorsFile());
  f->map_ = std::move(map);
  MT_RETURN_IF_ERROR(SafetensorsParser(f.get()).Parse().WithPrefix(path));
  return f;
}

const SafetensorsTensorInfo* SafetensorsFile::FindTensor(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : &tensors_[it->second];
}

std::span<const uint8_t> SafetensorsFile::Bytes(const SafetensorsTensorInfo& t) const {
  return {map_.data() + data_offset_ + t.begin, static_cast<size_t>(t.n_bytes())};
}

Result<TensorView> SafetensorsFile::View(const SafetensorsTensorInfo& t) const {
  const std::string what = path() + ": tensor '" + t.name + "'";
  if (!t.dtype) {
    return InvalidArgument(what + " has dtype " + t.dtype_name + ", which miaotui cannot use");
  }
  if (t.raw_shape.size() > 4) {
    return InvalidArgument(what + " has " + std::to_string(t.raw_shape.size()) +
                           " dims, at most 4 are supported");
  }
  TensorView v;
  v.data = map_.data() + data_offset_ + t.begin;
  v.dtype = *t.dtype;
  v.shape = t.shape;
  return v;
}

}  // namespace miaotui::formats
