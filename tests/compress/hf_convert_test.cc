// ConvertHfToGguf: stories260K's Hugging Face folder converted by miaotui equals llama.cpp's own
// conversion of the same checkpoint (models/stories260K.gguf) tensor for tensor (names, shapes,
// values: so the Q/K un-permutation is right) and tokenizes like it; bad inputs are refused.
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "compress/hf_convert.h"
#include "formats/gguf.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::compress {
namespace {

TEST(HfConvertTest, Stories260KMatchesLlamaCppConversion) {
  MT_REQUIRE_SHARED("models/stories260K-hf");
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  testing::TempDir tmp;
  const std::string out = tmp.File("s.gguf");
  auto r = ConvertHfToGguf(testing::SharedPath("models/stories260K-hf"), out, {.type = "f32"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto ours = formats::GgufFile::Open(out);
  auto ref = formats::GgufFile::Open(testing::SharedPath("models/stories260K.gguf"));
  ASSERT_TRUE(ours.ok() && ref.ok());
  // llama.cpp's file also stores output.weight (a copy of the tied token_embd); ours omits it.
  ASSERT_EQ((*ours)->tensors().size() + 1, (*ref)->tensors().size());
  EXPECT_EQ((*ours)->FindTensor("output.weight"), nullptr);
  for (const auto& o_info : (*ours)->tensors()) {
    const formats::GgufTensorInfo* o = &o_info;
    const formats::GgufTensorInfo* ref_t = (*ref)->FindTensor(o->name);
    ASSERT_NE(ref_t, nullptr) << o->name;
    const formats::GgufTensorInfo& t = *ref_t;
    ASSERT_EQ(o->shape, t.shape) << t.name;
    ASSERT_EQ(t.dtype, DType::kF32) << t.name;
    ASSERT_EQ(std::memcmp((*ours)->View(*o).data, (*ref)->View(t).data, t.n_bytes), 0) << t.name;
  }
  auto tok_ours = tokenizer::LoadTokenizerFromGguf(**ours);
  auto tok_ref = tokenizer::LoadTokenizerFromGguf(**ref);
  ASSERT_TRUE(tok_ours.ok() && tok_ref.ok());
  EXPECT_EQ((*tok_ours)->vocab().tokens, (*tok_ref)->vocab().tokens);
  for (const char* text : {"Once upon a time, there was a little dog named Tim.",
                           "  Hello\n\nworld 1234!", "caf\xc3\xa9 \xe2\x80\x94 ok"}) {
    EXPECT_EQ((*tok_ours)->Encode(text, true), (*tok_ref)->Encode(text, true)) << text;
  }
}

TEST(HfConvertTest, Q8_0ThroughQuantize) {
  MT_REQUIRE_SHARED("models/stories260K-hf");
  testing::TempDir tmp;
  auto r = ConvertHfToGguf(testing::SharedPath("models/stories260K-hf"), tmp.File("q.gguf"),
                           {.type = "q8_0"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto g = formats::GgufFile::Open(tmp.File("q.gguf"));
  ASSERT_TRUE(g.ok());
  const formats::GgufTensorInfo* wq = (*g)->FindTensor("blk.0.attn_q.weight");
  ASSERT_NE(wq, nullptr);
  EXPECT_EQ(wq->dtype, DType::kQ8_0);
}

TEST(HfConvertTest, RefusesWhatItCannotConvert) {
  testing::TempDir tmp;
  auto not_dir = ConvertHfToGguf(tmp.File("missing"), tmp.File("o.gguf"), {});
  EXPECT_FALSE(not_dir.ok());
  MT_REQUIRE_SHARED("models/bert-test-hf");
  auto bert = ConvertHfToGguf(testing::SharedPath("models/bert-test-hf"), tmp.File("o.gguf"), {});
  ASSERT_FALSE(bert.ok());
  EXPECT_NE(bert.status().message().find("cannot be converted"), std::string::npos);
  auto bad_type = ConvertHfToGguf(testing::SharedPath("models/stories260K-hf"),
                                  tmp.File("o.gguf"), {.type = "q9_9"});
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("unknown type"), std::string::npos);
}

}  // namespace
}  // namespace miaotui::compress
