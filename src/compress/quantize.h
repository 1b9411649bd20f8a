// Quantize: writes a quantized GGUF from an F32/F16/BF16 GGUF, as llama-quantize does.
//
// Contract:
//  - Input: a GGUF whose quantizable tensors (see tensor_type_rule.h) are F32, F16 or BF16 (any
//    type with --type F32, which dequantizes). A Hugging Face folder is refused for now with a
//    message saying so.
//  - Output: every metadata key copied in order, general.quantization_version = 2 and
//    general.file_type = the preset's llama_ftype appended; tensors in llama-quantize's order
//    (by layer, then name), each either copied unchanged or converted to its chosen type by the
//    reference quantizer (bit-identical to llama-quantize without an importance matrix).
//  - With an importance matrix (per tensor name, one weight per input column), the K-quants and
//    IQ4 formats choose scales minimizing the importance-weighted squared error.
//  - Refuses to overwrite its input (same file by std::filesystem::equivalent); writes
//    atomically (a failure leaves no partial output); a tensor with NaN/Inf values, or whose
//    quantized form is not finite, is an error naming the tensor and the row.
//  - Multithreaded over rows; deterministic (the bytes do not depend on the thread count).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "compress/quant_preset.h"
#include "tensor/dtype.h"

namespace miaotui::compress {

// Per tensor name: one non-negative importance per input column (ne[0] values).
using ImportanceMatrix = std::map<std::string, std::vector<float>>;

struct QuantizeOptions {
  std::string type = "Q4_K_M";  // a name ParseQuantPreset accepts
  bool pure = false;            // every quantized tensor gets the base type
  int n_threads = 0;            // 0: every core
  const ImportanceMatrix* importance = nullptr;
  // Per tensor name: this type instead of the preset's choice, for tensors the preset quantizes
  // (a row length that is not a multiple of the type's block size is an error). Used by the
  // accuracy-budget search (kld_budget.h).
  const std::map<std::string, DType>* tensor_types = nullptr;
  // Called as tensors are written: (bytes of input done, bytes in all).
  std::function<void(int64_t, int64_t)> progress;
};

struct TensorChoice {
  std::string name;
  DType from, to;
};

struct QuantizeReport {
  QuantPreset preset{};
  uint64_t in_file_bytes = 0, out_file_bytes = 0;
  std::vector<TensorChoice> tensors;   // output order
  std::vector<std::string> notes;      // fallbacks and the like, one line each
};

Result<QuantizeReport> Quantize(const std::string& in_path, const std::string& out_path,
                                const QuantizeOptions& options);

}  // namespace miaotui::compress
