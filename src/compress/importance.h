// Calibration statistics for importance-weighted quantization (in the spirit of llama.cpp's
// imatrix and AWQ): our own engine runs the model over calibration text and, for every matrix
// product y = x W^T with a weight tensor of the file, accumulates the mean of x^2 per input
// column over all calibration tokens. A column that carries large activations matters more, so
// the quantizer weighs its error more (quant::QuantizeRowWeighted).
//
// The text is tokenized once (BOS added as the vocabulary says) and cut into windows of n_ctx
// tokens, each evaluated from an empty cache with BOS first, as llama-imatrix does. Weights are
// matched to GGUF tensor names by address (the model is loaded from the same mapping).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "compress/quantize.h"

namespace miaotui::compress {

struct CalibrationOptions {
  int64_t n_ctx = 128;     // window length in tokens
  int64_t n_chunks = 64;   // at most this many windows
  int n_threads = 0;       // 0: every core
  std::function<void(int64_t, int64_t)> progress;  // (windows done, windows in all)
};

struct Importance {
  ImportanceMatrix matrix;  // tensor name -> mean x^2 per input column
  int64_t n_tokens = 0;     // tokens evaluated
};

// Errors: the model cannot be loaded (e.g. a type this build cannot compute with), a text of
// fewer than 2 tokens, or nothing matched a tensor name.
Result<Importance> CollectImportance(const std::string& gguf_path, const std::string& text,
                                     const CalibrationOptions& options);

}  // namespace miaotui::compress
