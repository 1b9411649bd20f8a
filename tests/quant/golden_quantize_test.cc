// Quantizing quant-test-f32.gguf's weights reproduces llama-quantize (no importance matrix).
// Every quantized 2-D tensor of each quant-test-<TYPE>.gguf is checked:
//   - our round-trip RMSE is no worse than the file's (its dequantized values against the same
//     f32 originals); both are printed;
//   - our bytes equal the file's. For Q4_0..Q8_0 that is the format's definition; for the
//     K-quants and IQ4_NL it holds because the searches repeat ggml's float arithmetic in
//     order (no FMA contraction, no fast-math). A toolchain that breaks this fails here first.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "quant/traits.h"
#include "quant_test_util.h"
#include "test_util.h"

namespace miaotui::quant {
namespace {

using ::miaotui::testing::SharedPath;
using testing::Rmse;

const char* const kModels[] = {"Q4_0", "Q4_1",   "Q5_0",   "Q5_1",   "Q8_0", "Q2_K",
                               "Q3_K_M", "Q4_K_S", "Q4_K_M", "Q5_K_M", "Q6_K", "IQ4_NL"};

class GoldenQuantize : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenQuantize, MatchesLlamaQuantize) {
  const std::string model = GetParam();
  const std::string quant_rel = "models/quant-test-" + model + ".gguf";
  MT_REQUIRE_SHARED(quant_rel);
  MT_REQUIRE_SHARED("models/quant-test-f32.gguf");
  auto f32_file = formats::GgufFile::Open(SharedPath("models/quant-test-f32.gguf"));
  auto q_file = formats::GgufFile::Open(SharedPath(quant_rel));
  ASSERT_TRUE(f32_file.ok()) << f32_file.status().message();
  ASSERT_TRUE(q_file.ok()) << q_file.status().message();

  int checked = 0;
  for (const formats::GgufTensorInfo& info : (*q_file)->tensors()) {
    const QuantTraits* traits = GetQuantTraits(info.dtype);
    if (traits == nullptr) continue;  // norms stay F32
    const formats::GgufTensorInfo* src_info = (*f32_file)->FindTensor(info.name);
    ASSERT_NE(src_info, nullptr) << info.name;
    ASSERT_EQ(src_info->dtype, DType::kF32);
    const TensorView src = (*f32_file)->View(*src_info);
    const TensorView theirs = (*q_file)->View(info);
    const int64_t n = src.shape.NumElements();
    ASSERT_EQ(n, theirs.shape.NumElements());
    const auto* x = static_cast<const float*>(src.data);

    // Rows are whole blocks and lie back to back, so the tensor quantizes as one long row.
    std::vector<uint8_t> ours(theirs.bytes());
    traits->quantize_row(x, ours.data(), n);
    const auto* their_bytes = static_cast<const uint8_t*>(theirs.data);
    size_t same_bytes = 0;
    for (size_t i = 0; i < ours.size(); ++i) same_bytes += ours[i] == their_bytes[i];

    std::vector<float> our_y(n), their_y(n);
    traits->dequantize_row(ours.data(), our_y.data(), n);
    traits->dequantize_row(theirs.data, their_y.data(), n);
    const double our_rmse = Rmse(x, our_y.data(), n);
    const double their_rmse = Rmse(x, their_y.data(), n);
    std::printf("  %-8s %-24s %-6s rmse ours %.9g  llama.cpp %.9g  bytes equal %zu/%zu\n",
                model.c_str(), info.name.c_str(), traits->name, our_rmse, their_rmse, same_bytes,
                ours.size());
    EXPECT_LE(our_rmse, their_rmse * (1 + 1e-9)) << model << " " << info.name;
    EXPECT_EQ(same_bytes, ours.size()) << model << " " << info.name;
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(AllFiles, GoldenQuantize, ::testing::ValuesIn(kModels));

}  // namespace
}  // namespace miaotui::quant
