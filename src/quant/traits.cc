#include "quant/traits.h"

#include <array>

#include "quant/iq4_nl.h"
#include "quant/iq4_xs.h"
#include "quant/q2_k.h"
#include "quant/q3_k.h"
#include "quant/q4_0.h"
#include "quant/q4_1.h"
#include "quant/q4_k.h"
#include "quant/q5_0.h"
#include "quant/q5_1.h"
#include "quant/q5_k.h"
#include "quant/q6_k.h"
#include "quant/q8_0.h"
#include "quant/q8_1.h"
#include "quant/q8_k.h"

namespace miaotui::quant {
namespace {

constexpr std::array<QuantTraits, 14> kTraits = {{
    {DType::kQ4_0, "Q4_0", 32, sizeof(BlockQ4_0), DType::kQ8_0, QuantizeQ4_0Row,
     DequantizeQ4_0Row, DotQ4_0Q8_0, nullptr},
    {DType::kQ4_1, "Q4_1", 32, sizeof(BlockQ4_1), DType::kQ8_1, QuantizeQ4_1Row,
     DequantizeQ4_1Row, DotQ4_1Q8_1, nullptr},
    {DType::kQ5_0, "Q5_0", 32, sizeof(BlockQ5_0), DType::kQ8_0, QuantizeQ5_0Row,
     DequantizeQ5_0Row, DotQ5_0Q8_0, nullptr},
    {DType::kQ5_1, "Q5_1", 32, sizeof(BlockQ5_1), DType::kQ8_1, QuantizeQ5_1Row,
     DequantizeQ5_1Row, DotQ5_1Q8_1, nullptr},
    {DType::kQ8_0, "Q8_0", 32, sizeof(BlockQ8_0), DType::kQ8_0, QuantizeQ8_0Row,
     DequantizeQ8_0Row, DotQ8_0Q8_0, QuantizeQ8_0Activations},
    {DType::kQ8_1, "Q8_1", 32, sizeof(BlockQ8_1), DType::kQ8_1, QuantizeQ8_1Row,
     DequantizeQ8_1Row, nullptr, QuantizeQ8_1Activations},
    {DType::kQ2_K, "Q2_K", 256, sizeof(BlockQ2_K), DType::kQ8_K, QuantizeQ2_KRow,
     DequantizeQ2_KRow, DotQ2_KQ8_K, nullptr},
    {DType::kQ3_K, "Q3_K", 256, sizeof(BlockQ3_K), DType::kQ8_K, QuantizeQ3_KRow,
     DequantizeQ3_KRow, DotQ3_KQ8_K, nullptr},
    {DType::kQ4_K, "Q4_K", 256, sizeof(BlockQ4_K), DType::kQ8_K, QuantizeQ4_KRow,
     DequantizeQ4_KRow, DotQ4_KQ8_K, nullptr},
    {DType::kQ5_K, "Q5_K", 256, sizeof(BlockQ5_K), DType::kQ8_K, QuantizeQ5_KRow,
     DequantizeQ5_KRow, DotQ5_KQ8_K, nullptr},
    {DType::kQ6_K, "Q6_K", 256, sizeof(BlockQ6_K), DType::kQ8_K, QuantizeQ6_KRow,
     DequantizeQ6_KRow, DotQ6_KQ8_K, nullptr},
    {DType::kQ8_K, "Q8_K", 256, sizeof(BlockQ8_K), DType::kQ8_K, QuantizeQ8_KRow,
     DequantizeQ8_KRow, nullptr, QuantizeQ8_KActivations},
    {DType::kIQ4_NL, "IQ4_NL", 32, sizeof(BlockIq4Nl), DType::kQ8_0, QuantizeIq4NlRow,
     DequantizeIq4NlRow, DotIq4NlQ8_0, nullptr},
    {DType::kIQ4_XS, "IQ4_XS", 256, sizeof(BlockIq4Xs), DType::kQ8_K, QuantizeIq4XsRow,
     DequantizeIq4XsRow, DotIq4XsQ8_K, nullptr},
}};

}  // namespace

const QuantTraits* GetQuantTraits(DType t) {
  for (const QuantTraits& row : kTraits) {
    if (row.dtype == t) return &row;
  }
  return nullptr;
}

std::span<const QuantTraits> AllQuantTraits() { return kTraits; }

}  // namespace miaotui::quant
