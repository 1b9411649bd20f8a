// GgufValue helpers: type names, type predicates and the short rendering used by `miaotui info`.
#include <cstdio>
#include <string>

#include "formats/gguf.h"

namespace miaotui::formats {

const char* GgufValueTypeName(GgufValueType t) {
  switch (t) {
    case GgufValueType::kUint8: return "uint8";
    case GgufValueType::kInt8: return "int8";
    case GgufValueType::kUint16: return "uint16";
    case GgufValueType::kInt16: return "int16";
    case GgufValueType::kUint32: return "uint32";
    case GgufValueType::kInt32: return "int32";
    case GgufValueType::kFloat32: return "float32";
    case GgufValueType::kBool: return "bool";
    case GgufValueType::kString: return "string";
    case GgufValueType::kArray: return "array";
    case GgufValueType::kUint64: return "uint64";
    case GgufValueType::kInt64: return "int64";
    case GgufValueType::kFloat64: return "float64";
  }
  return "unknown";
}

bool GgufValue::IsInteger() const {
  switch (type) {
    case GgufValueType::kUint8: case GgufValueType::kInt8: case GgufValueType::kUint16:
    case GgufValueType::kInt16: case GgufValueType::kUint32: case GgufValueType::kInt32:
    case GgufValueType::kUint64: case GgufValueType::kInt64:
      return true;
    default:
      return false;
  }
}

bool GgufValue::IsFloat() const {
  return type == GgufValueType::kFloat32 || type == GgufValueType::kFloat64;
}

std::string GgufValue::ToString() const {
  switch (type) {
    case GgufValueType::kUint8: case GgufValueType::kUint16: case GgufValueType::kUint32:
    case GgufValueType::kUint64:
      return std::to_string(u);
    case GgufValueType::kInt8: case GgufValueType::kInt16: case GgufValueType::kInt32:
    case GgufValueType::kInt64:
      return std::to_string(i);
    case GgufValueType::kFloat32: case GgufValueType::kFloat64: {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.9g", f);
      return buf;
    }
    case GgufValueType::kBool:
      return u ? "true" : "false";
    case GgufValueType::kString:
      return s;
    case GgufValueType::kArray:
      return std::string("[") + GgufValueTypeName(elem_type) + " x " +
             std::to_string(elems.size()) + "]";
  }
  return "?";
}

}  // namespace miaotui::formats
