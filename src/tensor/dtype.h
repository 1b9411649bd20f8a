// DType: the element types of tensors, numbered as GGUF (ggml) numbers them, so a GGUF tensor
// type id casts straight to DType. Every type GGUF defines is listed with its block geometry, so
// files can be validated even where this build cannot compute with a type; which types the
// kernels support is a separate question (kernels/, quant/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace miaotui {

enum class DType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ2_XXS = 16,
  kIQ2_XS = 17,
  kIQ3_XXS = 18,
  kIQ1_S = 19,
  kIQ4_NL = 20,
  kIQ3_S = 21,
  kIQ2_S = 22,
  kIQ4_XS = 23,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kIQ1_M = 29,
  kBF16 = 30,
  kTQ1_0 = 34,
  kTQ2_0 = 35,
  // In-memory only, never in a file: quantized rows interleaved 16 at a time for the AVX-512 VNNI
  // kernels (kernels/packed.h has the layouts). Numbered outside GGUF's range, so LookupDType and
  // DTypeFromName never return them.
  kQ4_0x16 = 0x10002,
  kQ8_0x16 = 0x10008,
  kQ4_Kx16 = 0x1000c,
  kQ5_Kx16 = 0x1000d,
  kQ6_Kx16 = 0x1000e,
};

struct DTypeInfo {
  DType dtype;
  const char* name;     // as GGUF tools print it: "F32", "Q4_K", ...
  int64_t block_size;   // elements per block (1 for plain types)
  int64_t block_bytes;  // bytes per block
};

// Returns the info for a GGUF type id, or nullopt for an id GGUF does not define.
std::optional<DTypeInfo> LookupDType(uint32_t gguf_type_id);
const DTypeInfo& GetDTypeInfo(DType t);  // REQUIRES: t is a defined DType.
inline const char* DTypeName(DType t) { return GetDTypeInfo(t).name; }
std::optional<DType> DTypeFromName(std::string_view name);  // case-insensitive, GGUF types only

// Bytes for `n` elements of one row. REQUIRES: n % block_size == 0.
inline size_t RowBytes(DType t, int64_t n) {
  const DTypeInfo& i = GetDTypeInfo(t);
  return static_cast<size_t>(n / i.block_size * i.block_bytes);
}

}  // namespace miaotui
