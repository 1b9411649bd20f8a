// GgufWriter: builds the GGUF v3 header (metadata in insertion order, then tensor infos) in
// memory, then streams it and each tensor's bytes, zero-padded to the alignment, through an
// AtomicFileWriter. Everything that can be wrong with the input is checked before writing.
#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_set>

#include "formats/gguf.h"
#include "formats/gguf_internal.h"

namespace miaotui::formats {

namespace {

class HeaderBuffer {
 public:
  template <typename T>
  void Put(T x) {
    char b[sizeof(T)];
    std::memcpy(b, &x, sizeof(T));
    out_.append(b, sizeof(T));
  }
  void PutString(const std::string& s) {
    Put<uint64_t>(s.size());
    out_ += s;
  }
  // Appends a value of type `t` (arrays recursively). Fails if an element's type differs from
  // its array's elem_type.
  Status PutValue(GgufValueType t, const GgufValue& v, int depth) {
    if (v.type != t) {
      return InvalidArgument(std::string("value has type ") + GgufValueTypeName(v.type) +
                             ", its array declares " + GgufValueTypeName(t));
    }
    switch (t) {
      case GgufValueType::kUint8: Put<uint8_t>(static_cast<uint8_t>(v.u)); break;
      case GgufValueType::kBool: Put<uint8_t>(v.u != 0); break;
      case GgufValueType::kUint16: Put<uint16_t>(static_cast<uint16_t>(v.u)); break;
      case GgufValueType::kUint32: Put<uint32_t>(static_cast<uint32_t>(v.u)); break;
      case GgufValueType::kUint64: Put<uint64_t>(v.u); break;
      case GgufValueType::kInt8: Put<int8_t>(static_cast<int8_t>(v.i)); break;
      case GgufValueType::kInt16: Put<int16_t>(static_cast<int16_t>(v.i)); break;
      case GgufValueType::kInt32: Put<int32_t>(static_cast<int32_t>(v.i)); break;
      case GgufValueType::kInt64: Put<int64_t>(v.i); break;
      case GgufValueType::kFloat32: Put<float>(static_cast<float>(v.f)); break;
      case GgufValueType::kFloat64: Put<double>(v.f); break;
      case GgufValueType::kString: PutString(v.s); break;
      case GgufValueType::kArray: {
        if (depth >= kGgufMaxArrayDepth) {
          return InvalidArgument("arrays nested more than " +
                                 std::to_string(kGgufMaxArrayDepth) + " deep");
        }
        Put<uint32_t>(static_cast<uint32_t>(v.elem_type));
        Put<uint64_t>(v.elems.size());
        for (size_t k = 0; k < v.elems.size(); ++k) {
          Status st = PutValue(v.elem_type, v.elems[k], depth + 1);
          if (!st.ok()) return st.WithPrefix("element " + std::to_string(k));
        }
        break;
      }
    }
    return Status::Ok();
  }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

GgufValue Scalar(GgufValueType t) {
  GgufValue v;
  v.type = t;
  return v;
}

GgufValue WithU(GgufValueType t, uint64_t u) {
  GgufValue v = Scalar(t);
  v.u = u;
  return v;
}

template <typename T, typename Fill>
GgufValue ArrayOf(GgufValueType elem_type, const std::vector<T>& xs, Fill fill) {
  GgufValue v = Scalar(GgufValueType::kArray);
  v.elem_type = elem_type;
  v.elems.resize(xs.size(), Scalar(elem_type));
  for (size_t k = 0; k < xs.size(); ++k) fill(&v.elems[k], xs[k]);
  return v;
}

uint64_t PaddingTo(uint64_t n, uint64_t alignment) {
  return (alignment - n % alignment) % alignment;
}

}  // namespace

void GgufWriter::SetValue(const std::string& key, const GgufValue& v) {
  for (GgufKv& kv : kvs_) {
    if (kv.key == key) {
      kv.value = v;
      return;
    }
  }
  kvs_.push_back({key, v});
}

void GgufWriter::SetUint32(const std::string& key, uint32_t x) {
  SetValue(key, WithU(GgufValueType::kUint32, x));
}
void GgufWriter::SetUint64(const std::string& key, uint64_t x) {
  SetValue(key, WithU(GgufValueType::kUint64, x));
}
void GgufWriter::SetBool(const std::string& key, bool x) {
  SetValue(key, WithU(GgufValueType::kBool, x ? 1 : 0));
}
void GgufWriter::SetInt32(const std::string& key, int32_t x) {
  GgufValue v = Scalar(GgufValueType::kInt32);
  v.i = x;
  SetValue(key, v);
}
void GgufWriter::SetFloat32(const std::string& key, float x) {
  GgufValue v = Scalar(GgufValueType::kFloat32);
  v.f = x;
  SetValue(key, v);
}
void GgufWriter::SetString(const std::string& key, const std::string& x) {
  GgufValue v = Scalar(GgufValueType::kString);
  v.s = x;
  SetValue(key, v);
}

void GgufWriter::SetStringArray(const std::string& key, const std::vector<std::string>& xs) {
  SetValue(key, ArrayOf(GgufValueType::kString, xs,
                        [](GgufValue* e, const std::string& x) { e->s = x; }));
}

void GgufWriter::SetFloat32Array(const std::string& key, const std::vector<float>& xs) {
  SetValue(key, ArrayOf(GgufValueType::kFloat32, xs, [](GgufValue* e, float x) { e->f = x; }));
}

void GgufWriter::SetInt32Array(const std::string& key, const std::vector<int32_t>& xs) {
  SetValue(key, ArrayOf(GgufValueType::kInt32, xs, [](GgufValue* e, int32_t x) { e->i = x; }));
}

void GgufWriter::AddTensor(const std::string& name, DType dtype, const Shape& shape,
                           const void* data) {
  tensors_.push_back({name, dtype, shape, data});
}

Status GgufWriter::Write(const std::string& path) const {
  uint64_t alignment = 32;
  for (const GgufKv& kv : kvs_) {
    if (kv.key == "general.alignment" && !GgufAlignmentOf(kv.value, &alignment)) {
      return InvalidArgument(path + ": key 'general.alignment' is " + kv.value.ToString() +
                             ", expected a nonzero power of two");
    }
  }
  HeaderBuffer h;
  h.Put<uint32_t>(0x46554747);  // "GGUF"
  h.Put<uint32_t>(3);
  h.Put<uint64_t>(tensors_.size());
  h.Put<uint64_t>(kvs_.size());
  for (const GgufKv& kv : kvs_) {
    h.PutString(kv.key);
    h.Put<uint32_t>(static_cast<uint32_t>(kv.value.type));
    Status st = h.PutValue(kv.value.type, kv.value, 0);
    if (!st.ok()) return st.WithPrefix(path + ": key '" + kv.key + "'");
  }
  std::unordered_set<std::string> names;
  std::vector<uint64_t> sizes;
  uint64_t offset = 0;
  for (const PendingTensor& t : tensors_) {
    const std::string what = path + ": tensor '" + t.name + "'";
    if (!names.insert(t.name).second) return InvalidArgument(what + " is added twice");
    if (t.shape.n_dims < 1 || t.shape.n_dims > 4) {
      return InvalidArgument(what + " has n_dims " + std::to_string(t.shape.n_dims) +
                             ", expected 1 to 4");
    }
    const DTypeInfo& info = GetDTypeInfo(t.dtype);
    for (int64_t ne : t.shape.ne) {
      if (ne < 0) return InvalidArgument(what + " has a negative dimension");
    }
    if (t.shape.ne[0] % info.block_size != 0) {
      return InvalidArgument(what + " has ne[0] " + std::to_string(t.shape.ne[0]) +
                             ", not a multiple of the block size " +
                             std::to_string(info.block_size));
    }
    const uint64_t bytes = RowBytes(t.dtype, t.shape.ne[0]) * t.shape.NumRows();
    if (bytes > 0 && t.data == nullptr) return InvalidArgument(what + " has no data");
    h.PutString(t.name);
    h.Put<uint32_t>(static_cast<uint32_t>(t.shape.n_dims));
    for (int d = 0; d < t.shape.n_dims; ++d) h.Put<uint64_t>(t.shape.ne[d]);
    h.Put<uint32_t>(static_cast<uint32_t>(t.dtype));
    h.Put<uint64_t>(offset);
    sizes.push_back(bytes);
    offset += bytes + PaddingTo(bytes, alignment);
  }
  MT_ASSIGN_OR_RETURN(AtomicFileWriter w, AtomicFileWriter::Create(path));
  MT_RETURN_IF_ERROR(w.Write(h.bytes().data(), h.bytes().size()));
  MT_RETURN_IF_ERROR(w.WriteZeros(PaddingTo(h.bytes().size(), alignment)));
  for (size_t k = 0; k < tensors_.size(); ++k) {
    MT_RETURN_IF_ERROR(w.Write(tensors_[k].data, sizes[k]));
    MT_RETURN_IF_ERROR(w.WriteZeros(PaddingTo(sizes[k], alignment)));
  }
  return w.Commit();
}

}  // namespace miaotui::formats
