// miaotui's quantize against llama-quantize: byte-identical files for every golden type, the
// Q4_K_M mix, llama.cpp's mixing rule on deeper models, per-tensor fallbacks, and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>

#include "compress/quantize.h"
#include "compress/tensor_type_rule.h"
#include "formats/gguf.h"
#include "quant/convert.h"
#include "compress_test_util.h"
#include "test_util.h"

namespace miaotui {
namespace {

using testing::ReadAll;
using testing::SharedPath;
using testing::TempDir;

// The goldens were made with --pure, except Q4_K_M (the normal mix); README section 3.
TEST(QuantizeGoldenTest, FilesAreByteIdenticalToLlamaQuantize) {
  MT_REQUIRE_SHARED("models/quant-test-f32.gguf");
  TempDir dir;
  for (const char* type : {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K_M", "Q4_K_S",
                           "Q4_K_M", "Q5_K_M", "Q6_K", "IQ4_NL", "BF16", "F16"}) {
    compress::QuantizeOptions o;
    o.type = type;
    o.pure = std::string(type) != "Q4_K_M";
    o.n_threads = 2;
    const std::string out = dir.File(std::string(type) + ".gguf");
    auto r = compress::Quantize(SharedPath("models/quant-test-f32.gguf"), out, o);
    ASSERT_TRUE(r.ok()) << type << ": " << r.status().message();
    const std::string want = ReadAll(SharedPath("models/quant-test-" + std::string(type) + ".gguf"));
    EXPECT_TRUE(ReadAll(out) == want) << type << " differs from llama-quantize's file";
    auto f = formats::GgufFile::Open(out);
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_EQ((*f)->tensors().size(), 21u);
  }
}

TEST(QuantizeGoldenTest, Q4KMMixHasTheGoldenTypes) {
  MT_REQUIRE_SHARED("models/quant-test-Q4_K_M.gguf");
  TempDir dir;
  compress::QuantizeOptions o;
  o.type = "Q4_K_M";
  auto r = compress::Quantize(SharedPath("models/quant-test-f32.gguf"), dir.File("m.gguf"), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto golden = formats::GgufFile::Open(SharedPath("models/quant-test-Q4_K_M.gguf"));
  ASSERT_TRUE(golden.ok());
  ASSERT_EQ(r->tensors.size(), (*golden)->tensors().size());
  for (const auto& t : r->tensors) {
    const auto* g = (*golden)->FindTensor(t.name);
    ASSERT_NE(g, nullptr) << t.name;
    EXPECT_EQ(t.to, g->dtype) << t.name;
  }
  auto out = formats::GgufFile::Open(dir.File("m.gguf"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*(*out)->GetInt("general.file_type"), 15);
  EXPECT_EQ((*out)->FindTensor("output.weight")->dtype, DType::kQ6_K);
  EXPECT_EQ((*out)->FindTensor("blk.1.ffn_down.weight")->dtype, DType::kQ6_K);
  EXPECT_EQ((*out)->FindTensor("blk.0.ffn_down.weight")->dtype, DType::kQ4_K);
}

compress::QuantPreset Preset(const char* name) { return *compress::ParseQuantPreset(name); }

// llama.cpp's use_more_bits on 32 layers: layers 0-3, 28-31 and 6, 9, ..., 27.
TEST(TensorTypeRuleTest, Q4KMOn32Layers) {
  compress::ModelFacts facts{.arch = "llama", .n_layer = 32, .n_head = 32, .n_head_kv = 32,
                             .n_expert = 0, .has_output = true, .n_attn_v = 32};
  compress::TensorTypeRule rule(Preset("Q4_K_M"), facts, false, false);
  const Shape w = Shape::Of(4096, 4096);
  EXPECT_EQ(rule.Choose("output.weight", Shape::Of(4096, 32000), nullptr), DType::kQ6_K);
  EXPECT_EQ(rule.Choose("token_embd.weight", Shape::Of(4096, 32000), nullptr), DType::kQ4_K);
  std::vector<int> more;
  for (int l = 0; l < 32; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    const DType v = rule.Choose(p + "attn_v.weight", w, nullptr);
    const DType d = rule.Choose(p + "ffn_down.weight", Shape::Of(11008, 4096), nullptr);
    EXPECT_EQ(v, d) << l;
    EXPECT_EQ(rule.Choose(p + "attn_q.weight", w, nullptr), DType::kQ4_K);
    if (v == DType::kQ6_K) more.push_back(l);
  }
  EXPECT_EQ(more, (std::vector<int>{0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31}));
}

TEST(TensorTypeRuleTest, PresetsAndPureAndTiedOutput) {
  compress::ModelFacts facts{.arch = "llama", .n_layer = 8, .n_head = 8, .n_head_kv = 2,
                             .n_expert = 0, .has_output = false, .n_attn_v = 8};
  const Shape w = Shape::Of(512, 512);
  compress::TensorTypeRule q3m(Preset("Q3_K_M"), facts, false, false);
  EXPECT_EQ(q3m.Choose("token_embd.weight", w, nullptr), DType::kQ6_K);  // no output.weight
  EXPECT_EQ(q3m.Choose("blk.0.attn_output.weight", w, nullptr), DType::kQ4_K);
  EXPECT_EQ(q3m.Choose("blk.0.attn_v.weight", w, nullptr), DType::kQ5_K);
  EXPECT_EQ(q3m.Choose("blk.0.ffn_down.weight", w, nullptr), DType::kQ4_K);  // 0 < 8/16 fails
  compress::TensorTypeRule q2(Preset("Q2_K"), facts, false, false);
  EXPECT_EQ(q2.Choose("blk.0.attn_v.weight", w, nullptr), DType::kQ4_K);  // n_gqa 4
  EXPECT_EQ(q2.Choose("blk.0.ffn_down.weight", w, nullptr), DType::kQ3_K);
  EXPECT_EQ(q2.Choose("blk.0.ffn_up.weight", w, nullptr), DType::kQ2_K);
  compress::TensorTypeRule pure(Preset("Q4_K_M"), facts, true, false);
  EXPECT_EQ(pure.Choose("token_embd.weight", w, nullptr), DType::kQ4_K);
  EXPECT_EQ(pure.Choose("blk.0.attn_v.weight", w, nullptr), DType::kQ4_K);
  EXPECT_FALSE(compress::ShouldQuantize("blk.0.attn_norm.weight", Shape::Of(512)));
  EXPECT_FALSE(compress::ShouldQuantize("blk.0.attn_norm.weight", Shape::Of(512, 2)));
  EXPECT_FALSE(compress::ShouldQuantize("blk.0.bias", Shape::Of(512, 1)));
  EXPECT_TRUE(compress::ShouldQuantize("blk.0.attn_q.weight", w));
}

TEST(TensorTypeRuleTest, RowsNotAMultipleOfTheBlockFallBack) {
  compress::ModelFacts facts{.arch = "llama", .n_layer = 1, .n_head = 1, .n_head_kv = 1};
  compress::TensorTypeRule rule(Preset("Q4_K_S"), facts, true, false);
  std::string note;
  EXPECT_EQ(rule.Choose("blk.0.attn_q.weight", Shape::Of(96, 8), &note), DType::kQ5_0);
  EXPECT_NE(note.find("blk.0.attn_q.weight"), std::string::npos) << note;
  EXPECT_NE(note.find("Q5_0"), std::string::npos) << note;
  note.clear();
  EXPECT_EQ(rule.Choose("blk.0.attn_k.weight", Shape::Of(40, 8), &note), DType::kF16);
  EXPECT_FALSE(note.empty());
  compress::TensorTypeRule q6(Preset("Q6_K"), facts, true, false);
  EXPECT_EQ(q6.Choose("x.weight", Shape::Of(64, 8), nullptr), DType::kQ8_0);
  compress::TensorTypeRule q2(Preset("Q2_K"), facts, true, false);
  EXPECT_EQ(q2.Choose("x.weight", Shape::Of(64, 8), nullptr), DType::kIQ4_NL);
}

// A small F32 GGUF with one 2-D tensor of `cols` columns (value v at [row 1, col 2]) and a norm.
std::string WriteTinyModel(const TempDir& dir, int64_t cols, float v) {
  std::vector<float> w(static_cast<size_t>(cols * 4), 0.25f), norm(static_cast<size_t>(cols), 1);
  w[static_cast<size_t>(cols + 2)] = v;
  formats::GgufWriter g;
  g.SetString("general.architecture", "llama");
  g.SetUint32("llama.block_count", 1);
  g.AddTensor("blk.0.attn_q.weight", DType::kF32, Shape::Of(cols, 4), w.data());
  g.AddTensor("blk.0.attn_norm.weight", DType::kF32, Shape::Of(cols), norm.data());
  const std::string path = dir.File("tiny.gguf");
  EXPECT_TRUE(g.Write(path).ok());
  return path;
}

TEST(QuantizeTest, FallbackIsNotedAndOutputLoads) {
  TempDir dir;
  const std::string in = WriteTinyModel(dir, 96, 0.5f);
  compress::QuantizeOptions o;
  o.type = "Q4_K_M";
  auto r = compress::Quantize(in, dir.File("out.gguf"), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_NE(r->notes[0].find("blk.0.attn_q.weight"), std::string::npos);
  auto f = formats::GgufFile::Open(dir.File("out.gguf"));
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ((*f)->FindTensor("blk.0.attn_q.weight")->dtype, DType::kQ5_0);
  EXPECT_EQ((*f)->FindTensor("blk.0.attn_norm.weight")->dtype, DType::kF32);
  EXPECT_GT(r->in_file_bytes, r->out_file_bytes);
}

TEST(QuantizeTest, NanTensorIsNamedAndNothingIsWritten) {
  TempDir dir;
  const std::string in = WriteTinyModel(dir, 256, std::numeric_limits<float>::quiet_NaN());
  compress::QuantizeOptions o;
  o.type = "Q8_0";
  auto r = compress::Quantize(in, dir.File("out.gguf"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'blk.0.attn_q.weight'"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("NaN"), std::string::npos) << r.status().message();
  EXPECT_FALSE(std::filesystem::exists(dir.File("out.gguf")));
  // A value beyond F16's range makes Q8_0's F16 scale infinite: reported, not written.
  const std::string big = WriteTinyModel(dir, 256, 1e30f);
  r = compress::Quantize(big, dir.File("out.gguf"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'blk.0.attn_q.weight'"), std::string::npos)
      << r.status().message();
}

TEST(QuantizeTest, RefusesItsInputUnknownTypesAndHfFolders) {
  TempDir dir;
  const std::string in = WriteTinyModel(dir, 256, 1);
  compress::QuantizeOptions o;
  o.type = "Q4_0";
  auto same = compress::Quantize(in, dir.path() + "/./tiny.gguf", o);
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.status().message().find("refusing to overwrite"), std::string::npos);
  o.type = "Q4_K_X";
  auto bad = compress::Quantize(in, dir.File("o.gguf"), o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Q4_K_X"), std::string::npos);
  EXPECT_NE(bad.status().message().find("Q4_K_M"), std::string::npos);
  EXPECT_NE(bad.status().message().find("IQ4_XS"), std::string::npos);
  o.type = "Q4_0";
  auto hf = compress::Quantize(dir.path(), dir.File("o.gguf"), o);
  ASSERT_FALSE(hf.ok());
  EXPECT_NE(hf.status().message().find("Hugging Face"), std::string::npos);
}

// Importance weights: null reproduces the reference bytes; skewed importances lower the
// importance-weighted error of every searched format.
TEST(WeightedQuantTest, NullIsReferenceAndWeightsLowerWeightedError) {
  const int64_t n = 1024;
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0, 1);
  std::vector<float> x(n), imp(n);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = nd(rng);
    imp[i] = i % 7 == 0 ? 50.f : 0.1f;  // a few columns matter much more
  }
  for (DType t : {DType::kQ2_K, DType::kQ3_K, DType::kQ4_K, DType::kQ5_K, DType::kQ6_K,
                  DType::kIQ4_NL, DType::kIQ4_XS}) {
    std::vector<uint8_t> ref(RowBytes(t, n)), null_w(ref.size()), weighted(ref.size());
    ASSERT_TRUE(quant::QuantizeRowInto(t, x.data(), ref.data(), n).ok());
    ASSERT_TRUE(quant::QuantizeRowWeighted(t, x.data(), null_w.data(), n, nullptr).ok());
    EXPECT_EQ(ref, null_w) << DTypeName(t);
    ASSERT_TRUE(quant::QuantizeRowWeighted(t, x.data(), weighted.data(), n, imp.data()).ok());
    auto err = [&](const std::vector<uint8_t>& q) {
      std::vector<float> y(n);
      EXPECT_TRUE(quant::DequantizeRow(t, q.data(), y.data(), n).ok());
      double e = 0;
      for (int64_t i = 0; i < n; ++i) e += imp[i] * (y[i] - x[i]) * (y[i] - x[i]);
      return e;
    };
    EXPECT_LT(err(weighted), err(ref)) << DTypeName(t);
  }
}

}  // namespace
}  // namespace miaotui
