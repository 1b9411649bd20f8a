// GgufFile::Open: the GGUF v2/v3 parser. Every count, length and offset is checked against the
// bytes left in the file before anything is allocated or read; all errors name the file and the
// key or tensor they concern (see gguf.h for the list of checks).
#include <algorithm>
#include <cstring>
#include <string>

#include "formats/gguf.h"
#include "formats/gguf_internal.h"

namespace miaotui::formats {

namespace {

constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
// Smallest encodings: a kv is key length (8) + type (4) + a 1-byte value; a tensor info is name
// length (8) + n_dims (4) + one dim (8) + type (4) + offset (8).
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;

std::string Quoted(std::string_view s) {
  std::string q(1, '\'');
  q.append(s);
  q.push_back('\'');
  return q;
}

// "prefix message" (no colon), for messages that read as one sentence about a tensor.
Status WithSubject(const Status& st, const std::string& subject) {
  if (st.ok()) return st;
  return Status(st.code(), subject + " " + st.message());
}

std::string MagicForMessage(const uint8_t* p, size_t n) {
  std::string out;
  for (size_t k = 0; k < n; ++k) out += (p[k] >= 0x20 && p[k] < 0x7f) ? char(p[k]) : '.';
  return out;
}

}  // namespace

// Reads the header, metadata and tensor infos of one mapped file into a GgufFile.
class GgufParser {
 public:
  explicit GgufParser(GgufFile* f) : f_(f), p_(f->map_.data()), size_(f->map_.size()) {}

  // Returns a Status whose message does not yet carry the file path (Open prefixes it).
  Status Parse() {
    if (size_ < 4 || std::memcmp(p_, "GGUF", 4) != 0) {
      return InvalidArgument("not a GGUF file (starts with '" +
                             MagicForMessage(p_, std::min<size_t>(size_, 4)) +
                             "', expected 'GGUF')");
    }
    pos_ = 4;
    uint32_t version = 0;
    MT_RETURN_IF_ERROR(Read(&version).WithPrefix("version"));
    if (version == 1) {
      return Unimplemented("GGUF version 1 is not supported (only versions 2 and 3); convert "
                           "the model again with a current llama.cpp");
    }
    if (version != 2 && version != 3) {
      if ((version & 0xffff) == 0 && (version >> 24) <= 3) {
        return Unimplemented("big-endian GGUF files are not supported");
      }
      return Unimplemented("unsupported GGUF version " + std::to_string(version) +
                           " (supported: 2, 3)");
    }
    f_->version_ = version;
    uint64_t n_tensors = 0, n_kv = 0;
    MT_RETURN_IF_ERROR(Read(&n_tensors).WithPrefix("n_tensors"));
    MT_RETURN_IF_ERROR(Read(&n_kv).WithPrefix("n_kv"));
    MT_RETURN_IF_ERROR(CheckCount(n_kv, kMinKvBytes, "n_kv", "metadata entries"));
    MT_RETURN_IF_ERROR(CheckCount(n_tensors, kMinTensorInfoBytes, "n_tensors", "tensor infos"));
    if (n_kv * kMinKvBytes + n_tensors * kMinTensorInfoBytes > Left()) {
      return DataLoss("n_kv " + std::to_string(n_kv) + " and n_tensors " +
                      std::to_string(n_tensors) + " need more than the " +
                      std::to_string(Left()) + " bytes left in the file (truncated?)");
    }
    f_->kvs_.reserve(static_cast<size_t>(std::min<uint64_t>(n_kv, 4096)));
    for (uint64_t k = 0; k < n_kv; ++k) MT_RETURN_IF_ERROR(ParseKv(k));
    MT_RETURN_IF_ERROR(BuildIndex(f_->kvs_, &f_->kv_by_key_, "key"));
    MT_RETURN_IF_ERROR(ParseAlignment());
    f_->tensors_.reserve(static_cast<size_t>(std::min<uint64_t>(n_tensors, 65536)));
    for (uint64_t k = 0; k < n_tensors; ++k) MT_RETURN_IF_ERROR(ParseTensorInfo(k));
    MT_RETURN_IF_ERROR(BuildIndex(f_->tensors_, &f_->tensor_by_name_, "tensor name"));
    const uint64_t a = f_->alignment_;
    if (pos_ > UINT64_MAX - (a - 1)) return DataLoss("header end overflows");
    f_->data_offset_ = (pos_ + a - 1) / a * a;
    for (const GgufTensorInfo& t : f_->tensors_) MT_RETURN_IF_ERROR(CheckTensorData(t));
    return Status::Ok();
  }

 private:
  uint64_t Left() const { return size_ - pos_; }

  Status Need(uint64_t n) const {
    if (n <= Left()) return Status::Ok();
    return DataLoss("needs " + std::to_string(n) + " bytes at offset " + std::to_string(pos_) +
                    " but the file has " + std::to_string(size_) + " bytes (truncated?)");
  }

  template <typename T>
  Status Read(T* out) {
    MT_RETURN_IF_ERROR(Need(sizeof(T)));
    std::memcpy(out, p_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return Status::Ok();
  }

  Status ReadString(std::string* out) {
    uint64_t len = 0;
    MT_RETURN_IF_ERROR(Read(&len));
    if (len > Left()) {
      return DataLoss("string length " + std::to_string(len) + " at offset " +
                      std::to_string(pos_ - 8) + " exceeds the " + std::to_string(Left()) +
                      " bytes left in the file");
    }
    out->assign(reinterpret_cast<const char*>(p_ + pos_), static_cast<size_t>(len));
    pos_ += len;
    return Status::Ok();
  }

  // A count of items that each take at least `min_bytes` cannot exceed what is left.
  Status CheckCount(uint64_t count, uint64_t min_bytes, const char* field, const char* items) {
    if (count <= Left() / min_bytes) return Status::Ok();
    return DataLoss(std::string(field) + " is " + std::to_string(count) + " but the " +
                    std::to_string(Left()) + " bytes left in the file can hold at most " +
                    std::to_string(Left() / min_bytes) + " " + items);
  }

  Status ReadType(GgufValueType* t) {
    uint32_t id = 0;
    MT_RETURN_IF_ERROR(Read(&id));
    if (id > static_cast<uint32_t>(GgufValueType::kFloat64)) {
      return DataLoss("unknown value type id " + std::to_string(id) + " (expected 0..12)");
    }
    *t = static_cast<GgufValueType>(id);
    return Status::Ok();
  }

  Status ParseKv(uint64_t index) {
    GgufKv kv;
    MT_RETURN_IF_ERROR(ReadString(&kv.key).WithPrefix("metadata key #" + std::to_string(index)));
    Status st = ReadType(&kv.value.type);
    if (st.ok()) st = ReadValue(kv.value.type, 0, &kv.value);
    MT_RETURN_IF_ERROR(st.WithPrefix("key " + Quoted(kv.key)));
    f_->kvs_.push_back(std::move(kv));
    return Status::Ok();
  }

  Status ReadValue(GgufValueType t, int depth, GgufValue* v) {
    v->type = t;
    switch (t) {
      case GgufValueType::kUint8: return ReadUnsigned<uint8_t>(v);
      case GgufValueType::kUint16: return ReadUnsigned<uint16_t>(v);
      case GgufValueType::kUint32: return ReadUnsigned<uint32_t>(v);
      case GgufValueType::kUint64: return ReadUnsigned<uint64_t>(v);
      case GgufValueType::kBool: return ReadUnsigned<uint8_t>(v);
      case GgufValueType::kInt8: return ReadSigned<int8_t>(v);
      case GgufValueType::kInt16: return ReadSigned<int16_t>(v);
      case GgufValueType::kInt32: return ReadSigned<int32_t>(v);
      case GgufValueType::kInt64: return ReadSigned<int64_t>(v);
      case GgufValueType::kFloat32: {
        float x = 0;
        MT_RETURN_IF_ERROR(Read(&x));
        v->f = x;
        return Status::Ok();
      }
      case GgufValueType::kFloat64: return Read(&v->f);
      case GgufValueType::kString: return ReadString(&v->s);
      case GgufValueType::kArray: return ReadArray(depth, v);
    }
    return Internal("unreachable value type");
  }

  template <typename T>
  Status ReadUnsigned(GgufValue* v) {
    T x{};
    MT_RETURN_IF_ERROR(Read(&x));
    v->u = x;
    if (v->type == GgufValueType::kBool) v->u = x != 0;
    return Status::Ok();
  }

  template <typename T>
  Status ReadSigned(GgufValue* v) {
    T x{};
    MT_RETURN_IF_ERROR(Read(&x));
    v->i = x;
    return Status::Ok();
  }

  Status ReadArray(int depth, GgufValue* v) {
    if (depth >= kGgufMaxArrayDepth) {
      return DataLoss("arrays nested more than " + std::to_string(kGgufMaxArrayDepth) +
                      " deep");
    }
    MT_RETURN_IF_ERROR(ReadType(&v->elem_type));
    uint64_t count = 0;
    MT_RETURN_IF_ERROR(Read(&count));
    const uint64_t min_bytes = GgufMinEncodedSize(v->elem_type);
    if (count > Left() / min_bytes) {
      return DataLoss("array of " + std::to_string(count) + " " +
                      GgufValueTypeName(v->elem_type) + " needs at least " +
                      (count > UINT64_MAX / min_bytes ? std::string("2^64")
                                                      : std::to_string(count * min_bytes)) +
                      " bytes but only " + std::to_string(Left()) + " are left in the file");
    }
    elements_ += count;
    if (elements_ > kGgufMaxMetadataElements) {
      return ResourceExhausted("metadata arrays hold more than " +
                               std::to_string(kGgufMaxMetadataElements) + " elements in total");
    }
    v->elems.resize(static_cast<size_t>(count));
    for (uint64_t k = 0; k < count; ++k) {
      Status st = ReadValue(v->elem_type, depth + 1, &v->elems[k]);
      if (!st.ok()) return st.WithPrefix("element " + std::to_string(k));
    }
    return Status::Ok();
  }

  Status ParseAlignment() {
    const GgufValue* a = f_->Find("general.alignment");
    if (a == nullptr) return Status::Ok();
    if (!a->IsInteger()) {
      return InvalidArgument(std::string("key 'general.alignment' has type ") +
                             GgufValueTypeName(a->type) + ", expected uint32");
    }
    if (!GgufAlignmentOf(*a, &f_->alignment_)) {
      return InvalidArgument("key 'general.alignment' is " + a->ToString() +
                             ", expected a nonzero power of two (at most 2^30)");
    }
    return Status::Ok();
  }

  Status ParseTensorInfo(uint64_t index) {
    GgufTensorInfo t;
    MT_RETURN_IF_ERROR(ReadString(&t.name).WithPrefix("tensor info #" + std::to_string(index)));
    MT_RETURN_IF_ERROR(WithSubject(ParseTensorFields(&t), "tensor " + Quoted(t.name)));
    f_->tensors_.push_back(std::move(t));
    return Status::Ok();
  }

  Status ParseTensorFields(GgufTensorInfo* t) {
    uint32_t n_dims = 0;
    MT_RETURN_IF_ERROR(Read(&n_dims));
    if (n_dims < 1 || n_dims > 4) {
      return InvalidArgument("has n_dims " + std::to_string(n_dims) + ", expected 1 to 4");
    }
    t->shape.n_dims = static_cast<int>(n_dims);
    for (uint32_t d = 0; d < n_dims; ++d) {
      uint64_t ne = 0;
      MT_RETURN_IF_ERROR(Read(&ne));
      if (ne > static_cast<uint64_t>(INT64_MAX)) {
        return InvalidArgument("ne[" + std::to_string(d) + "] is negative (" +
                               std::to_string(static_cast<int64_t>(ne)) + ")");
      }
      t->shape.ne[d] = static_cast<int64_t>(ne);
    }
    uint32_t type_id = 0;
    MT_RETURN_IF_ERROR(Read(&type_id));
    std::optional<DTypeInfo> info = LookupDType(type_id);
    if (!info) return Unimplemented("has unknown type id " + std::to_string(type_id));
    t->dtype = info->dtype;
    MT_RETURN_IF_ERROR(Read(&t->offset));
    int64_t n = 1;
    for (int64_t ne : t->shape.ne) {
      if (__builtin_mul_overflow(n, ne, &n)) {
        return InvalidArgument("shape " + t->shape.ToString() + " has too many elements");
      }
    }
    if (t->shape.ne[0] % info->block_size != 0) {
      return InvalidArgument("has ne[0] " + std::to_string(t->shape.ne[0]) +
                             ", not a multiple of the " + info->name + " block size " +
                             std::to_string(info->block_size));
    }
    uint64_t bytes = 0, row_bytes = 0;
    const uint64_t blocks = static_cast<uint64_t>(n / info->block_size);
    // The row size is checked on its own too: with another dimension 0 the tensor is empty, but
    // a row of ne[0] elements must still be representable (views compute it).
    const uint64_t row_blocks = static_cast<uint64_t>(t->shape.ne[0] / info->block_size);
    if (__builtin_mul_overflow(blocks, static_cast<uint64_t>(info->block_bytes), &bytes) ||
        __builtin_mul_overflow(row_blocks, static_cast<uint64_t>(info->block_bytes), &row_bytes) ||
        row_bytes > static_cast<uint64_t>(INT64_MAX)) {
      return InvalidArgument("shape " + t->shape.ToString() + " has too many bytes");
    }
    t->n_bytes = bytes;
    return Status::Ok();
  }

  Status CheckTensorData(const GgufTensorInfo& t) const {
    const std::string what = "tensor " + Quoted(t.name);
    if (t.offset % f_->alignment_ != 0) {
      return DataLoss(what + " has offset " + std::to_string(t.offset) +
                      ", not a multiple of the alignment " + std::to_string(f_->alignment_));
    }
    uint64_t begin = 0, end = 0;
    const bool overflow = __builtin_add_overflow(f_->data_offset_, t.offset, &begin) ||
                          __builtin_add_overflow(begin, t.n_bytes, &end);
    if (overflow || end > size_) {
      std::string at = overflow ? std::string("beyond 2^64") : std::to_string(end);
      return DataLoss(what + " ends at byte " + at + " but the file has " +
                      std::to_string(size_) + " bytes (truncated download?)");
    }
    return Status::Ok();
  }

  // Sorts indices of `items` by name and reports the first duplicate.
  template <typename Item>
  Status BuildIndex(const std::vector<Item>& items, std::vector<uint32_t>* index,
                    const char* what) {
    auto name = [&](uint32_t k) -> const std::string& {
      if constexpr (std::is_same_v<Item, GgufKv>) return items[k].key;
      else return items[k].name;
    };
    index->resize(items.size());
    for (size_t k = 0; k < items.size(); ++k) (*index)[k] = static_cast<uint32_t>(k);
    std::sort(index->begin(), index->end(),
              [&](uint32_t a, uint32_t b) { return name(a) < name(b); });
    for (size_t k = 1; k < index->size(); ++k) {
      if (name((*index)[k]) == name((*index)[k - 1])) {
        return InvalidArgument(std::string("duplicate ") + what + " " +
                               Quoted(name((*index)[k])));
      }
    }
    return Status::Ok();
  }

  GgufFile* f_;
  const uint8_t* p_;
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t elements_ = 0;
};

Result<std::unique_ptr<GgufFile>> GgufFile::Open(const std::string& path) {
  MT_ASSIGN_OR_RETURN(MappedFile map, MappedFile::Open(path));
  std::unique_ptr<GgufFile> f(new GgufFile());
  f->map_ = std::move(map);
  MT_RETURN_IF_ERROR(GgufParser(f.get()).Parse().WithPrefix(path));
  return f;
}

}  // namespace miaotui::formats
