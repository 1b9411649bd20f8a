#include "compress/quant_preset.h"

#include <algorithm>
#include <cctype>

namespace miaotui::compress {

const std::vector<QuantPreset>& AllQuantPresets() {
  static const std::vector<QuantPreset> kPresets = {
      {"Q4_0", FileType::kQ4_0, DType::kQ4_0, "4.5 bpw, legacy"},
      {"Q4_1", FileType::kQ4_1, DType::kQ4_1, "5.0 bpw, legacy"},
      {"Q5_0", FileType::kQ5_0, DType::kQ5_0, "5.5 bpw, legacy"},
      {"Q5_1", FileType::kQ5_1, DType::kQ5_1, "6.0 bpw, legacy"},
      {"Q8_0", FileType::kQ8_0, DType::kQ8_0, "8.5 bpw"},
      {"Q2_K", FileType::kQ2_K, DType::kQ2_K, "Q2_K mix"},
      {"Q2_K_S", FileType::kQ2_K_S, DType::kQ2_K, "Q2_K, smaller mix"},
      {"Q3_K_S", FileType::kQ3_K_S, DType::kQ3_K, "Q3_K throughout"},
      {"Q3_K_M", FileType::kQ3_K_M, DType::kQ3_K, "Q3_K mix"},
      {"Q3_K", FileType::kQ3_K_M, DType::kQ3_K, "alias of Q3_K_M"},
      {"Q3_K_L", FileType::kQ3_K_L, DType::kQ3_K, "Q3_K, larger mix"},
      {"Q4_K_S", FileType::kQ4_K_S, DType::kQ4_K, "Q4_K, smaller mix"},
      {"Q4_K_M", FileType::kQ4_K_M, DType::kQ4_K, "Q4_K mix"},
      {"Q4_K", FileType::kQ4_K_M, DType::kQ4_K, "alias of Q4_K_M"},
      {"Q5_K_S", FileType::kQ5_K_S, DType::kQ5_K, "Q5_K, smaller mix"},
      {"Q5_K_M", FileType::kQ5_K_M, DType::kQ5_K, "Q5_K mix"},
      {"Q5_K", FileType::kQ5_K_M, DType::kQ5_K, "alias of Q5_K_M"},
      {"Q6_K", FileType::kQ6_K, DType::kQ6_K, "6.6 bpw"},
      {"IQ4_NL", FileType::kIQ4_NL, DType::kIQ4_NL, "4.5 bpw, non-linear"},
      {"IQ4_XS", FileType::kIQ4_XS, DType::kIQ4_XS, "4.25 bpw, non-linear"},
      {"F16", FileType::kF16, DType::kF16, "16-bit float"},
      {"BF16", FileType::kBF16, DType::kBF16, "bfloat16"},
      {"F32", FileType::kAllF32, DType::kF32, "32-bit float"},
  };
  return kPresets;
}

std::string QuantPresetNames() {
  std::string s;
  for (const QuantPreset& p : AllQuantPresets()) s += (s.empty() ? "" : ", ") + std::string(p.name);
  return s;
}

Result<QuantPreset> ParseQuantPreset(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const QuantPreset& p : AllQuantPresets()) {
    if (upper == p.name) return p;
  }
  return InvalidArgument("unknown quantization type '" + std::string(name) +
                         "' (valid: " + QuantPresetNames() + ")");
}

}  // namespace miaotui::compress
