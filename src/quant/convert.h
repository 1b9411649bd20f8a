// Checked, type-generic entry points over the traits table: they validate the type and the row
// length and return a Status instead of relying on REQUIRES.
//
//   DequantizeRow        any quantized format, and also F32, F16 and BF16 (plain widening), so
//                        a caller can turn any weight row into floats.
//   QuantizeRow(Into)    quantized formats only, with the reference quantizer (quantize_row).
//   QuantizeActivations  the activation formats Q8_0, Q8_1, Q8_K (quantize_act).
// Errors: kInvalidArgument when n is negative or not a multiple of the block size (the message
// names the type, n and the block size); kUnimplemented for a type that is not supported.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "quant/rounding.h"
#include "tensor/dtype.h"

namespace miaotui::quant {

// y must hold n floats; src holds RowBytes(t, n) bytes.
Status DequantizeRow(DType t, const void* src, float* y, int64_t n);

// dst must hold RowBytes(t, n) bytes.
Status QuantizeRowInto(DType t, const float* x, void* dst, int64_t n);
Result<std::vector<uint8_t>> QuantizeRow(DType t, std::span<const float> x);

// As QuantizeRowInto, with one non-negative importance per value (calibration statistics): the
// K-quants (Q2_K..Q6_K) and IQ4_NL/IQ4_XS choose scales minimizing the importance-weighted
// squared error; other formats ignore the importances. importance null = QuantizeRowInto.
Status QuantizeRowWeighted(DType t, const float* x, void* dst, int64_t n,
                           const float* importance);

// t must be Q8_0, Q8_1 or Q8_K; dst must hold RowBytes(t, n) bytes.
Status QuantizeActivations(DType t, const float* x, void* dst, int64_t n,
                           Rounding r = Rounding::kHalfToEven);

}  // namespace miaotui::quant
