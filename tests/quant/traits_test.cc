// The traits table: its rows agree with tensor/dtype's geometry, the types that are not
// quantized formats (F32, F16, BF16, unimplemented IQ types) are handled gracefully, and the
// checked entry points refuse bad row lengths.
#include <gtest/gtest.h>

#include <vector>

#include "base/half.h"
#include "quant/convert.h"
#include "quant/traits.h"

namespace miaotui::quant {
namespace {

TEST(QuantTraits, RowsMatchTheDTypeTable) {
  EXPECT_EQ(AllQuantTraits().size(), 14u);
  for (const QuantTraits& t : AllQuantTraits()) {
    SCOPED_TRACE(t.name);
    const DTypeInfo& info = GetDTypeInfo(t.dtype);
    EXPECT_STREQ(t.name, info.name);
    EXPECT_EQ(t.block_size, info.block_size);
    EXPECT_EQ(t.block_bytes, info.block_bytes);
    EXPECT_EQ(GetQuantTraits(t.dtype), &t);
    EXPECT_NE(t.quantize_row, nullptr);
    EXPECT_NE(t.dequantize_row, nullptr);
    const QuantTraits* act = GetQuantTraits(t.vec_dot_type);
    ASSERT_NE(act, nullptr);
    EXPECT_NE(act->quantize_act, nullptr) << "vec_dot_type must be an activation format";
    EXPECT_EQ(act->block_size == 256, t.block_size == 256) << "blocks of the pair must align";
    if (t.vec_dot_ref == nullptr) {
      EXPECT_TRUE(t.dtype == DType::kQ8_1 || t.dtype == DType::kQ8_K);
    }
  }
}

TEST(QuantTraits, PlainAndUnimplementedTypesHaveNoRow) {
  for (DType t : {DType::kF32, DType::kF16, DType::kBF16, DType::kI8, DType::kIQ2_XXS,
                  DType::kIQ1_S, DType::kTQ2_0}) {
    EXPECT_EQ(GetQuantTraits(t), nullptr) << DTypeName(t);
  }
}

TEST(QuantConvert, DequantizeRowWidensPlainTypes) {
  const std::vector<float> x = {1.0f, -2.5f, 0.1f, 65504.0f};
  std::vector<uint16_t> f16, bf16;
  for (float v : x) {
    f16.push_back(FloatToHalf(v));
    bf16.push_back(FloatToBf16(v));
  }
  std::vector<float> y(x.size());
  ASSERT_TRUE(DequantizeRow(DType::kF32, x.data(), y.data(), 4).ok());
  EXPECT_EQ(y, x);
  ASSERT_TRUE(DequantizeRow(DType::kF16, f16.data(), y.data(), 4).ok());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], HalfToFloat(f16[i]));
  ASSERT_TRUE(DequantizeRow(DType::kBF16, bf16.data(), y.data(), 4).ok());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], Bf16ToFloat(bf16[i]));
}

TEST(QuantConvert, RefusesWhatItCannotDo) {
  std::vector<float> x(512, 0.5f), y(512);
  std::vector<uint8_t> buf(4096);
  Status s = QuantizeRowInto(DType::kF16, x.data(), buf.data(), 32);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("F16"), std::string::npos) << s.message();
  EXPECT_EQ(QuantizeRowInto(DType::kIQ2_XXS, x.data(), buf.data(), 256).code(),
            StatusCode::kUnimplemented);
  EXPECT_EQ(DequantizeRow(DType::kIQ3_S, buf.data(), y.data(), 256).code(),
            StatusCode::kUnimplemented);
  EXPECT_EQ(QuantizeActivations(DType::kQ4_0, x.data(), buf.data(), 32).code(),
            StatusCode::kUnimplemented);
  EXPECT_EQ(QuantizeActivations(DType::kBF16, x.data(), buf.data(), 32).code(),
            StatusCode::kUnimplemented);
}

TEST(QuantConvert, RefusesRowsThatAreNotWholeBlocks) {
  std::vector<float> x(512, 0.5f), y(512);
  std::vector<uint8_t> buf(4096);
  for (const QuantTraits& t : AllQuantTraits()) {
    SCOPED_TRACE(t.name);
    for (int64_t n : {t.block_size - 1, t.block_size + 16, int64_t{-t.block_size}}) {
      Status s = QuantizeRowInto(t.dtype, x.data(), buf.data(), n);
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << n;
      EXPECT_NE(s.message().find(t.name), std::string::npos) << s.message();
      EXPECT_EQ(DequantizeRow(t.dtype, buf.data(), y.data(), n).code(),
                StatusCode::kInvalidArgument);
    }
    auto r = QuantizeRow(t.dtype, std::span<const float>(x.data(), 33));
    EXPECT_FALSE(r.ok());
    // An odd number of whole blocks is fine.
    auto ok = QuantizeRow(t.dtype, std::span<const float>(x.data(), t.block_size));
    ASSERT_TRUE(ok.ok()) << ok.status().message();
    EXPECT_EQ(static_cast<int64_t>(ok->size()), t.block_bytes);
    EXPECT_TRUE(DequantizeRow(t.dtype, ok->data(), y.data(), t.block_size).ok());
    if (t.quantize_act != nullptr) {
      EXPECT_TRUE(QuantizeActivations(t.dtype, x.data(), buf.data(), t.block_size).ok());
      EXPECT_EQ(QuantizeActivations(t.dtype, x.data(), buf.data(), t.block_size + 1).code(),
                StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace miaotui::quant
