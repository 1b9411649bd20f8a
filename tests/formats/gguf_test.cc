// GGUF writer -> reader round trips (every value type, nested arrays, every plain tensor type)
// and reading the shared test models.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "formats/gguf.h"
#include "test_util.h"

namespace miaotui::formats {
namespace {

using ::miaotui::testing::SharedPath;
using ::miaotui::testing::TempDir;

GgufValue Val(GgufValueType t) {
  GgufValue v;
  v.type = t;
  return v;
}

TEST(GgufRoundTrip, EveryValueType) {
  TempDir dir;
  GgufWriter w;
  w.SetUint32("u32", 4000000000u);
  w.SetInt32("i32", -7);
  w.SetUint64("u64", 1ull << 60);
  w.SetFloat32("f32", 1.5f);
  w.SetBool("yes", true);
  w.SetString("str", "hello\0world");
  w.SetStringArray("strs", {"a", "", "ccc"});
  w.SetFloat32Array("floats", {0.25f, -2.0f});
  w.SetInt32Array("ints", {1, -2, 3});
  GgufValue v;
  v = Val(GgufValueType::kUint8), v.u = 255, w.SetValue("u8", v);
  v = Val(GgufValueType::kInt8), v.i = -128, w.SetValue("i8", v);
  v = Val(GgufValueType::kUint16), v.u = 65535, w.SetValue("u16", v);
  v = Val(GgufValueType::kInt16), v.i = -32768, w.SetValue("i16", v);
  v = Val(GgufValueType::kInt64), v.i = INT64_MIN, w.SetValue("i64", v);
  v = Val(GgufValueType::kFloat64), v.f = 1e-300, w.SetValue("f64", v);
  // [[1, 2], [], [3]] as an array of arrays of uint16, and an array of arrays of strings.
  GgufValue nested = Val(GgufValueType::kArray);
  nested.elem_type = GgufValueType::kArray;
  for (std::vector<uint64_t> row : {std::vector<uint64_t>{1, 2}, {}, {3}}) {
    GgufValue a = Val(GgufValueType::kArray);
    a.elem_type = GgufValueType::kUint16;
    for (uint64_t x : row) a.elems.push_back(Val(GgufValueType::kUint16)), a.elems.back().u = x;
    nested.elems.push_back(a);
  }
  w.SetValue("nested", nested);
  w.SetUint32("u32", 42);  // replaces in place
  ASSERT_TRUE(w.Write(dir.File("m.gguf")).ok());

  auto f = GgufFile::Open(dir.File("m.gguf"));
  ASSERT_TRUE(f.ok()) << f.status().message();
  const GgufFile& g = **f;
  EXPECT_EQ(g.version(), 3u);
  ASSERT_EQ(g.metadata().size(), 16u);
  EXPECT_EQ(g.metadata()[0].key, "u32");  // insertion order kept
  EXPECT_EQ(*g.GetInt("u32"), 42);
  EXPECT_EQ(*g.GetInt("i32"), -7);
  EXPECT_EQ(*g.GetInt("u64"), int64_t{1} << 60);
  EXPECT_EQ(*g.GetFloat("f32"), 1.5);
  EXPECT_EQ(*g.GetBool("yes"), true);
  EXPECT_EQ(*g.GetString("str"), "hello");
  EXPECT_EQ(*g.GetStringArray("strs"), (std::vector<std::string>{"a", "", "ccc"}));
  EXPECT_EQ(*g.GetFloatArray("floats"), (std::vector<float>{0.25f, -2.0f}));
  EXPECT_EQ(*g.GetIntArray("ints"), (std::vector<int64_t>{1, -2, 3}));
  EXPECT_EQ(*g.GetInt("u8"), 255);
  EXPECT_EQ(*g.GetInt("i8"), -128);
  EXPECT_EQ(*g.GetInt("u16"), 65535);
  EXPECT_EQ(*g.GetInt("i16"), -32768);
  EXPECT_EQ(*g.GetInt("i64"), INT64_MIN);
  EXPECT_EQ(*g.GetFloat("f64"), 1e-300);
  EXPECT_EQ(*g.GetFloat("i32"), -7.0);  // integers read as floats
  const GgufValue* n = g.Find("nested");
  ASSERT_NE(n, nullptr);
  ASSERT_EQ(n->elems.size(), 3u);
  EXPECT_EQ(n->elems[0].elem_type, GgufValueType::kUint16);
  EXPECT_EQ(n->elems[0].elems[1].u, 2u);
  EXPECT_TRUE(n->elems[1].elems.empty());
  EXPECT_EQ(n->elems[2].elems[0].u, 3u);
  EXPECT_EQ(n->ToString(), "[array x 3]");
  EXPECT_EQ(g.Find("missing"), nullptr);
  EXPECT_TRUE(g.tensors().empty());
}

TEST(GgufRoundTrip, TypedGetterErrors) {
  TempDir dir;
  GgufWriter w;
  w.SetString("name", "x");
  w.SetUint64("big", ~uint64_t{0});
  w.SetInt32Array("ints", {1});
  ASSERT_TRUE(w.Write(dir.File("g.gguf")).ok());
  auto f = GgufFile::Open(dir.File("g.gguf"));
  ASSERT_TRUE(f.ok());
  const GgufFile& g = **f;
  auto s = g.GetInt("name");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("g.gguf"), std::string::npos);
  EXPECT_NE(s.status().message().find("'name' has type string, expected an integer"),
            std::string::npos) << s.status().message();
  EXPECT_EQ(g.GetInt("absent").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(g.GetInt("big").status().code(), StatusCode::kOutOfRange);
  auto arr = g.GetStringArray("ints");
  ASSERT_FALSE(arr.ok());
  EXPECT_NE(arr.status().message().find("array of int32, expected array of string"),
            std::string::npos) << arr.status().message();
  EXPECT_EQ(*g.GetIntOr("absent", 5), 5);
  EXPECT_EQ(*g.GetStringOr("absent", "d"), "d");
  EXPECT_EQ(*g.GetBoolOr("absent", true), true);
  EXPECT_EQ(*g.GetFloatOr("absent", 2.5), 2.5);
  EXPECT_FALSE(g.GetIntOr("name", 5).ok());  // present with a wrong type is still an error
}

TEST(GgufRoundTrip, EveryPlainTensorType) {
  TempDir dir;
  const DType types[] = {DType::kF32, DType::kF16, DType::kBF16, DType::kF64,
                         DType::kI8,  DType::kI16, DType::kI32,  DType::kI64,
                         DType::kQ4_0, DType::kQ8_0, DType::kQ4_K, DType::kQ6_K};
  std::vector<std::vector<uint8_t>> bufs;
  GgufWriter w;
  int k = 0;
  for (DType t : types) {
    const Shape shape = GetDTypeInfo(t).block_size == 1 ? Shape::Of(3, 2) : Shape::Of(256, 2);
    std::vector<uint8_t> b(RowBytes(t, shape.ne[0]) * shape.NumRows());
    for (size_t j = 0; j < b.size(); ++j) b[j] = static_cast<uint8_t>(j * 7 + k);
    bufs.push_back(std::move(b));
    w.AddTensor(std::string("t.") + DTypeName(t), t, shape, bufs.back().data());
    ++k;
  }
  std::vector<float> vec4d(2 * 3 * 4 * 5, 1.0f);
  w.AddTensor("four", DType::kF32, Shape{4, {2, 3, 4, 5}}, vec4d.data());
  ASSERT_TRUE(w.Write(dir.File("t.gguf")).ok());
  auto f = GgufFile::Open(dir.File("t.gguf"));
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ((*f)->tensors().size(), std::size(types) + 1);
  EXPECT_EQ((*f)->data_offset() % 32, 0u);
  for (size_t j = 0; j < std::size(types); ++j) {
    const GgufTensorInfo* t = (*f)->FindTensor(std::string("t.") + DTypeName(types[j]));
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->dtype, types[j]);
    EXPECT_EQ(t->offset % 32, 0u);
    EXPECT_EQ(t->n_bytes, bufs[j].size());
    TensorView v = (*f)->View(*t);
    ASSERT_EQ(v.bytes(), bufs[j].size());
    EXPECT_EQ(std::memcmp(v.data, bufs[j].data(), bufs[j].size()), 0) << DTypeName(types[j]);
  }
  const GgufTensorInfo* four = (*f)->FindTensor("four");
  ASSERT_NE(four, nullptr);
  EXPECT_EQ(four->shape.n_dims, 4);
  EXPECT_EQ(four->shape.ne[3], 5);
}

TEST(GgufWriter, RejectsBadInputAndLeavesNoFile) {
  TempDir dir;
  float x[4] = {};
  GgufWriter dup;
  dup.AddTensor("a", DType::kF32, Shape::Of(4), x);
  dup.AddTensor("a", DType::kF32, Shape::Of(4), x);
  Status st = dup.Write(dir.File("d.gguf"));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("tensor 'a' is added twice"), std::string::npos);
  GgufWriter block;
  block.AddTensor("q", DType::kQ4_0, Shape::Of(4), x);
  EXPECT_FALSE(block.Write(dir.File("d.gguf")).ok());
  GgufWriter align;
  align.SetUint32("general.alignment", 24);
  EXPECT_FALSE(align.Write(dir.File("d.gguf")).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.File("d.gguf")));
}

TEST(GgufWriter, CustomAlignment) {
  TempDir dir;
  GgufWriter w;
  w.SetUint32("general.alignment", 64);
  float a[3] = {1, 2, 3}, b[5] = {4, 5, 6, 7, 8};
  w.AddTensor("a", DType::kF32, Shape::Of(3), a);
  w.AddTensor("b", DType::kF32, Shape::Of(5), b);
  ASSERT_TRUE(w.Write(dir.File("a.gguf")).ok());
  auto f = GgufFile::Open(dir.File("a.gguf"));
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ((*f)->alignment(), 64u);
  EXPECT_EQ((*f)->data_offset() % 64, 0u);
  EXPECT_EQ((*f)->FindTensor("b")->offset, 64u);
  EXPECT_EQ(static_cast<const float*>((*f)->View(*(*f)->FindTensor("b")).data)[4], 8.0f);
}

TEST(GgufShared, Stories260K) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  auto f = GgufFile::Open(SharedPath("models/stories260K.gguf"));
  ASSERT_TRUE(f.ok()) << f.status().message();
  const GgufFile& g = **f;
  EXPECT_EQ(*g.GetString("general.architecture"), "llama");
  EXPECT_EQ(*g.GetInt("llama.embedding_length"), 64);
  EXPECT_EQ(*g.GetInt("llama.block_count"), 5);
  EXPECT_EQ(*g.GetInt("llama.attention.head_count"), 8);
  EXPECT_EQ(*g.GetInt("llama.attention.head_count_kv"), 4);
  EXPECT_EQ(*g.GetInt("llama.feed_forward_length"), 172);
  auto tokens = g.GetStringArray("tokenizer.ggml.tokens");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 512u);
  EXPECT_EQ((*tokens)[1], "<s>");
  EXPECT_EQ(g.GetFloatArray("tokenizer.ggml.scores")->size(), 512u);
  EXPECT_EQ(g.tensors().size(), 48u);  // token_embd, output_norm, output + 9 per layer
  const GgufTensorInfo* emb = g.FindTensor("token_embd.weight");
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(emb->dtype, DType::kF32);
  EXPECT_EQ(emb->shape, Shape::Of(64, 512));
}

TEST(GgufShared, EveryModelOpens) {
  MT_REQUIRE_SHARED("models");
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(SharedPath("models"))) {
    if (e.path().extension() != ".gguf") continue;
    auto t0 = std::chrono::steady_clock::now();
    auto f = GgufFile::Open(e.path().string());
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_GT((*f)->tensors().size(), 0u) << e.path();
    EXPECT_TRUE((*f)->GetString("general.architecture").ok()) << e.path();
    uint64_t end = 0;
    for (const GgufTensorInfo& t : (*f)->tensors()) {
      end = std::max(end, (*f)->data_offset() + t.offset + t.n_bytes);
    }
    EXPECT_LE(end, (*f)->file_size());
    std::printf("%s: v%u, %zu kv, %zu tensors, %.1f ms\n", e.path().filename().c_str(),
                (*f)->version(), (*f)->metadata().size(), (*f)->tensors().size(), ms.count());
    ++n;
  }
  EXPECT_GE(n, 1);
}

TEST(GgufShared, QuantTypesAndGpt2Vocab) {
  MT_REQUIRE_SHARED("models/quant-test-Q4_K_M.gguf");
  auto q = GgufFile::Open(SharedPath("models/quant-test-Q4_K_M.gguf"));
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ((*q)->FindTensor("output.weight")->dtype, DType::kQ6_K);
  EXPECT_EQ((*q)->FindTensor("blk.0.attn_q.weight")->dtype, DType::kQ4_K);
  EXPECT_EQ((*q)->FindTensor("blk.0.attn_k.weight")->shape, Shape::Of(256, 128));
  MT_REQUIRE_SHARED("models/gpt2-test-f16.gguf");
  auto t0 = std::chrono::steady_clock::now();
  auto g = GgufFile::Open(SharedPath("models/gpt2-test-f16.gguf"));
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ((*g)->GetStringArray("tokenizer.ggml.tokens")->size(), 50257u);
  EXPECT_EQ((*g)->GetStringArray("tokenizer.ggml.merges")->size(), 50000u);
  EXPECT_EQ(*(*g)->GetInt("gpt2.embedding_length"), 128);
  EXPECT_LT(ms.count(), 250.0);  // generous: sanitizer builds are slower
}

}  // namespace
}  // namespace miaotui::formats
