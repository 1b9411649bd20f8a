// QuantizeRowWeighted: the formats with an importance-weighted scale search.
#include <string>

#include "quant/convert.h"
#include "quant/iq4_nl.h"
#include "quant/iq4_xs.h"
#include "quant/q2_k.h"
#include "quant/q3_k.h"
#include "quant/q4_k.h"
#include "quant/q5_k.h"
#include "quant/q6_k.h"

namespace miaotui::quant {
namespace {

using WeightedFn = void (*)(const float*, void*, int64_t, const float*);

WeightedFn WeightedQuantizer(DType t) {
  switch (t) {
    case DType::kQ2_K: return QuantizeQ2_KRowWeighted;
    case DType::kQ3_K: return QuantizeQ3_KRowWeighted;
    case DType::kQ4_K: return QuantizeQ4_KRowWeighted;
    case DType::kQ5_K: return QuantizeQ5_KRowWeighted;
    case DType::kQ6_K: return QuantizeQ6_KRowWeighted;
    case DType::kIQ4_NL: return QuantizeIq4NlRowWeighted;
    case DType::kIQ4_XS: return QuantizeIq4XsRowWeighted;
    default: return nullptr;
  }
}

}  // namespace

Status QuantizeRowWeighted(DType t, const float* x, void* dst, int64_t n,
                           const float* importance) {
  WeightedFn fn = WeightedQuantizer(t);
  if (importance == nullptr || fn == nullptr) return QuantizeRowInto(t, x, dst, n);
  const int64_t block = GetDTypeInfo(t).block_size;
  if (n < 0 || n % block != 0) {
    return InvalidArgument(std::string(DTypeName(t)) + ": a row of " + std::to_string(n) +
                           " values is not a multiple of the block size " +
                           std::to_string(block));
  }
  fn(x, dst, n, importance);
  return Status::Ok();
}

}  // namespace miaotui::quant
