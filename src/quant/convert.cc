#include "quant/convert.h"

#include <cstring>
#include <string>

#include "base/half.h"
#include "quant/traits.h"

namespace miaotui::quant {
namespace {

Status CheckLength(const char* name, int64_t n, int64_t block_size) {
  if (n < 0 || n % block_size != 0) {
    return InvalidArgument(std::string(name) + ": a row of " + std::to_string(n) +
                           " values is not a multiple of the block size " +
                           std::to_string(block_size));
  }
  return Status::Ok();
}

Result<const QuantTraits*> FindTraits(DType t, const char* what) {
  const QuantTraits* traits = GetQuantTraits(t);
  if (traits == nullptr) {
    return Unimplemented(std::string(DTypeName(t)) + " is not a quantized format this build can " +
                         what);
  }
  return traits;
}

}  // namespace

Status DequantizeRow(DType t, const void* src, float* y, int64_t n) {
  if (t == DType::kF32 || t == DType::kF16 || t == DType::kBF16) {
    MT_RETURN_IF_ERROR(CheckLength(DTypeName(t), n, 1));
    const auto* p = static_cast<const uint8_t*>(src);
    if (t == DType::kF32) {
      std::memcpy(y, p, static_cast<size_t>(n) * sizeof(float));
      return Status::Ok();
    }
    for (int64_t i = 0; i < n; ++i) {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      y[i] = t == DType::kF16 ? HalfToFloat(h) : Bf16ToFloat(h);
    }
    return Status::Ok();
  }
  MT_ASSIGN_OR_RETURN(const QuantTraits* traits, FindTraits(t, "dequantize"));
  MT_RETURN_IF_ERROR(CheckLength(traits->name, n, traits->block_size));
  traits->dequantize_row(src, y, n);
  return Status::Ok();
}

Status QuantizeRowInto(DType t, const float* x, void* dst, int64_t n) {
  MT_ASSIGN_OR_RETURN(const QuantTraits* traits, FindTraits(t, "quantize to"));
  MT_RETURN_IF_ERROR(CheckLength(traits->name, n, traits->block_size));
  traits->quantize_row(x, dst, n);
  return Status::Ok();
}

Result<std::vector<uint8_t>> QuantizeRow(DType t, std::span<const float> x) {
  MT_ASSIGN_OR_RETURN(const QuantTraits* traits, FindTraits(t, "quantize to"));
  const auto n = static_cast<int64_t>(x.size());
  MT_RETURN_IF_ERROR(CheckLength(traits->name, n, traits->block_size));
  std::vector<uint8_t> out(static_cast<size_t>(n / traits->block_size * traits->block_bytes));
  traits->quantize_row(x.data(), out.data(), n);
  return out;
}

Status QuantizeActivations(DType t, const float* x, void* dst, int64_t n, Rounding r) {
  const QuantTraits* traits = GetQuantTraits(t);
  if (traits == nullptr || traits->quantize_act == nullptr) {
    return Unimplemented(std::string(DTypeName(t)) +
                         " is not an activation format (Q8_0, Q8_1 or Q8_K)");
  }
  MT_RETURN_IF_ERROR(CheckLength(traits->name, n, traits->block_size));
  traits->quantize_act(x, dst, n, r);
  return Status::Ok();
}

}  // namespace miaotui::quant
