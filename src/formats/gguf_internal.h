// Internal to formats/: GGUF encoding sizes of value types, the reader's limits against hostile
// files and the general.alignment rule. Shared by the GGUF reader, getters and writer.
#pragma once

#include <cstdint>

#include "formats/gguf.h"

namespace miaotui::formats {

inline constexpr int kGgufMaxArrayDepth = 16;
inline constexpr uint64_t kGgufMaxMetadataElements = uint64_t{1} << 23;

// Bytes of one encoded value of a fixed-size type; 0 for string and array.
inline uint64_t GgufFixedSize(GgufValueType t) {
  switch (t) {
    case GgufValueType::kUint8: case GgufValueType::kInt8: case GgufValueType::kBool: return 1;
    case GgufValueType::kUint16: case GgufValueType::kInt16: return 2;
    case GgufValueType::kUint32: case GgufValueType::kInt32: case GgufValueType::kFloat32:
      return 4;
    case GgufValueType::kUint64: case GgufValueType::kInt64: case GgufValueType::kFloat64:
      return 8;
    case GgufValueType::kString: case GgufValueType::kArray: return 0;
  }
  return 0;
}

// The fewest bytes one value of type `t` can take: a string its 8-byte length, an array its
// 4-byte element type and 8-byte count.
inline uint64_t GgufMinEncodedSize(GgufValueType t) {
  if (t == GgufValueType::kString) return 8;
  if (t == GgufValueType::kArray) return 12;
  return GgufFixedSize(t);
}

inline bool GgufIsSignedType(GgufValueType t) {
  return t == GgufValueType::kInt8 || t == GgufValueType::kInt16 || t == GgufValueType::kInt32 ||
         t == GgufValueType::kInt64;
}

// general.alignment must be an integer that is a nonzero power of two (at most 2^30).
inline bool GgufAlignmentOf(const GgufValue& v, uint64_t* out) {
  if (!v.IsInteger()) return false;
  const int64_t a = GgufIsSignedType(v.type) ? v.i : static_cast<int64_t>(v.u);
  if (v.u > (uint64_t{1} << 30) || a <= 0 || a > (int64_t{1} << 30) || (a & (a - 1)) != 0) {
    return false;
  }
  *out = static_cast<uint64_t>(a);
  return true;
}

}  // namespace miaotui::formats
