// The quantization types `miaotui quantize --type` accepts: llama.cpp's file types (llama_ftype),
// each a base block format plus, for the _S/_M/_L and K presets, a per-tensor mixing rule (see
// tensor_type_rule.h). Plain format names map as llama-quantize maps them (Q4_K = Q4_K_M,
// Q3_K = Q3_K_M, Q5_K = Q5_K_M).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tensor/dtype.h"

namespace miaotui::compress {

// llama_ftype values (written to general.file_type), facts of the GGUF ecosystem.
enum class FileType : uint32_t {
  kAllF32 = 0, kF16 = 1, kQ4_0 = 2, kQ4_1 = 3, kQ8_0 = 7, kQ5_0 = 8, kQ5_1 = 9, kQ2_K = 10,
  kQ3_K_S = 11, kQ3_K_M = 12, kQ3_K_L = 13, kQ4_K_S = 14, kQ4_K_M = 15, kQ5_K_S = 16,
  kQ5_K_M = 17, kQ6_K = 18, kQ2_K_S = 21, kIQ4_NL = 25, kIQ4_XS = 30, kBF16 = 32,
};

struct QuantPreset {
  const char* name;   // "Q4_K_M"
  FileType file_type;
  DType base;         // the default type of 2-D tensors
  const char* summary;
};

// The preset for a --type name (case-insensitive). Unknown names: InvalidArgument listing every
// valid name.
Result<QuantPreset> ParseQuantPreset(std::string_view name);
const std::vector<QuantPreset>& AllQuantPresets();
std::string QuantPresetNames();  // "Q4_0, Q4_1, ..." for messages

}  // namespace miaotui::compress
