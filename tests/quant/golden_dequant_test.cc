// Dequantizing the tensors of every shared quant-test-<TYPE>.gguf gives exactly (bit for bit)
// the floats ggml's to_float produced (golden/quant-test-<TYPE>/dequant/<tensor>.f32).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "formats/gguf.h"
#include "quant/convert.h"
#include "test_util.h"

namespace miaotui::quant {
namespace {

using ::miaotui::testing::ReadRawArray;
using ::miaotui::testing::SharedPath;

// The files of golden/README.md section 3 (Q4_K_M mixes Q4_K and Q6_K).
const char* const kModels[] = {"BF16",   "F16",   "IQ4_NL", "Q2_K", "Q3_K_M", "Q4_0", "Q4_1",
                               "Q4_K_M", "Q4_K_S", "Q5_0",  "Q5_1", "Q5_K_M", "Q6_K", "Q8_0"};
const char* const kTensors[] = {"blk.0.attn_q.weight", "blk.0.ffn_down.weight",
                                "token_embd.weight"};

class GoldenDequant : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {};

TEST_P(GoldenDequant, BitExact) {
  const std::string model = std::get<0>(GetParam());
  const std::string tensor = std::get<1>(GetParam());
  const std::string gguf_rel = "models/quant-test-" + model + ".gguf";
  const std::string golden_rel = "golden/quant-test-" + model + "/dequant/" + tensor + ".f32";
  MT_REQUIRE_SHARED(gguf_rel);
  MT_REQUIRE_SHARED(golden_rel);

  auto file = formats::GgufFile::Open(SharedPath(gguf_rel));
  ASSERT_TRUE(file.ok()) << file.status().message();
  const formats::GgufTensorInfo* info = (*file)->FindTensor(tensor);
  ASSERT_NE(info, nullptr) << tensor;
  const TensorView view = (*file)->View(*info);
  const std::vector<float> golden = ReadRawArray<float>(SharedPath(golden_rel));
  ASSERT_EQ(static_cast<int64_t>(golden.size()), view.shape.NumElements());

  std::vector<float> ours(golden.size());
  for (int64_t r = 0; r < view.rows(); ++r) {
    Status s = DequantizeRow(view.dtype, view.row(r), ours.data() + r * view.cols(), view.cols());
    ASSERT_TRUE(s.ok()) << s.message();
  }
  size_t mismatches = 0, first = 0;
  for (size_t i = 0; i < golden.size(); ++i) {
    if (std::memcmp(&ours[i], &golden[i], sizeof(float)) != 0 && mismatches++ == 0) first = i;
  }
  EXPECT_EQ(mismatches, 0u) << model << " " << tensor << " (" << DTypeName(view.dtype)
                            << "): first mismatch at " << first << ": ours " << ours[first]
                            << ", ggml " << golden[first];
}

INSTANTIATE_TEST_SUITE_P(AllFiles, GoldenDequant,
                         ::testing::Combine(::testing::ValuesIn(kModels),
                                            ::testing::ValuesIn(kTensors)),
                         [](const auto& info) {
                           std::string name = std::string(std::get<0>(info.param)) + "_" +
                                              std::get<1>(info.param);
                           for (char& c : name) {
                             if (c == '.') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace miaotui::quant
