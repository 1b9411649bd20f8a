// Safetensors: writer -> reader round trips, sharded folders, the shared HF folders, bad input.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "formats/gguf.h"
#include "formats/safetensors.h"
#include "formats_test_util.h"
#include "test_util.h"

namespace miaotui::formats {
namespace {

using ::miaotui::formats::testing::GgufBytes;
using ::miaotui::testing::SharedPath;
using ::miaotui::testing::TempDir;

// A file made of an 8-byte header length, `header` and `data_bytes` zero bytes.
std::string WriteRaw(const TempDir& dir, const std::string& header, size_t data_bytes,
                     uint64_t declared_len = ~uint64_t{0}) {
  GgufBytes b;
  b.U64(declared_len == ~uint64_t{0} ? header.size() : declared_len);
  b.Raw(header.data(), header.size());
  b.Raw(std::string(data_bytes, '\0').data(), data_bytes);
  const std::string path = dir.File("model.safetensors");
  b.WriteTo(path);
  return path;
}

std::string OpenError(const std::string& path) {
  auto f = SafetensorsFile::Open(path);
  return f.ok() ? "" : f.status().message();
}

TEST(Safetensors, RoundTrip) {
  TempDir dir;
  std::vector<float> a = {1, 2, 3, 4, 5, 6};
  std::vector<uint16_t> b = {7, 8};
  std::vector<uint8_t> u = {1, 0, 1};
  const std::string path = dir.File("x.safetensors");
  ASSERT_TRUE(WriteSafetensors(path,
                               {{"a", "F32", {2, 3}, a.data()},
                                {"b", "BF16", {2}, b.data()},
                                {"mask", "BOOL", {3}, u.data()},
                                {"scalar", "F32", {}, a.data()}},
                               {{"format", "pt"}})
                  .ok());
  auto f = SafetensorsFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ((*f)->data_offset() % 8, 0u);
  EXPECT_EQ((*f)->metadata().at("format"), "pt");
  ASSERT_EQ((*f)->tensors().size(), 4u);
  EXPECT_EQ((*f)->tensors()[0].name, "a");  // data order
  const SafetensorsTensorInfo* t = (*f)->FindTensor("a");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->raw_shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t->shape, Shape::Of(3, 2));
  auto v = (*f)->View(*t);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->dtype, DType::kF32);
  EXPECT_EQ(std::memcmp(v->data, a.data(), 24), 0);
  EXPECT_EQ((*f)->View(*(*f)->FindTensor("b"))->dtype, DType::kBF16);
  const SafetensorsTensorInfo* mask = (*f)->FindTensor("mask");
  EXPECT_FALSE(mask->dtype.has_value());
  auto mv = (*f)->View(*mask);
  ASSERT_FALSE(mv.ok());
  EXPECT_MESSAGE_HAS(mv.status().message(), "tensor 'mask' has dtype BOOL");
  EXPECT_EQ((*f)->Bytes(*mask).size(), 3u);
  EXPECT_EQ((*f)->Bytes(*mask)[2], 1);
  EXPECT_EQ((*f)->FindTensor("scalar")->n_bytes(), 4u);
  EXPECT_EQ((*f)->FindTensor("nope"), nullptr);
}

TEST(Safetensors, WriterRejectsBadInput) {
  TempDir dir;
  float x = 0;
  EXPECT_FALSE(WriteSafetensors(dir.File("a"), {{"a", "F99", {1}, &x}}).ok());
  EXPECT_FALSE(WriteSafetensors(dir.File("a"), {{"a", "F32", {-1}, &x}}).ok());
  EXPECT_FALSE(WriteSafetensors(dir.File("a"), {{"a", "F32", {1}, &x}, {"a", "F32", {1}, &x}})
                   .ok());
  EXPECT_FALSE(std::filesystem::exists(dir.File("a")));
}

TEST(Safetensors, ShardedFolder) {
  TempDir dir;
  std::vector<float> a = {1, 2}, b = {3, 4, 5};
  ASSERT_TRUE(WriteSafetensors(dir.File("model-00001-of-00002.safetensors"),
                               {{"a", "F32", {2}, a.data()}}).ok());
  ASSERT_TRUE(WriteSafetensors(dir.File("model-00002-of-00002.safetensors"),
                               {{"b", "F32", {3}, b.data()}}).ok());
  GgufBytes::WriteFile(dir.File("model.safetensors.index.json"),
                       R"({"metadata": {"total_size": 20}, "weight_map": {)"
                       R"("a": "model-00001-of-00002.safetensors",)"
                       R"("b": "model-00002-of-00002.safetensors"}})");
  auto set = SafetensorsSet::OpenFolder(dir.path());
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ((*set)->files().size(), 2u);
  EXPECT_EQ((*set)->TensorNames(), (std::vector<std::string>{"a", "b"}));
  auto vb = (*set)->View("b");
  ASSERT_TRUE(vb.ok());
  EXPECT_EQ(static_cast<const float*>(vb->data)[2], 5.0f);
  auto missing = (*set)->View("c");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_MESSAGE_HAS(missing.status().message(), "no tensor 'c'");

  // The index names a tensor its shard does not hold.
  GgufBytes::WriteFile(dir.File("model.safetensors.index.json"),
                       R"({"weight_map": {"a": "model-00002-of-00002.safetensors",)"
                       R"("b": "model-00002-of-00002.safetensors"}})");
  auto bad = SafetensorsSet::OpenFolder(dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_MESSAGE_HAS(bad.status().message(), "weight_map puts tensor 'a'");
  // Shard names may not leave the folder.
  GgufBytes::WriteFile(dir.File("model.safetensors.index.json"),
                       R"({"weight_map": {"a": "../evil.safetensors"}})");
  auto evil = SafetensorsSet::OpenFolder(dir.path());
  ASSERT_FALSE(evil.ok());
  EXPECT_MESSAGE_HAS(evil.status().message(), "model.safetensors.index.json: weight_map 'a'");
  // Nothing there at all.
  TempDir empty;
  EXPECT_EQ(SafetensorsSet::OpenFolder(empty.path()).status().code(), StatusCode::kNotFound);
}

TEST(SafetensorsShared, HfFolders) {
  MT_REQUIRE_SHARED("models/stories260K-hf/model.safetensors");
  struct Case {
    const char* dir;
    size_t n_tensors;
    const char* name;
    std::vector<int64_t> raw_shape;
    DType dtype;
  };
  const Case cases[] = {
      {"models/stories260K-hf", 47, "model.embed_tokens.weight", {512, 64}, DType::kF32},
      {"models/gpt2-test-hf", 28, "transformer.h.0.attn.c_attn.weight", {128, 384}, DType::kF16},
      {"models/bert-test-hf", 39, "embeddings.word_embeddings.weight", {30522, 128}, DType::kF16},
  };
  for (const Case& c : cases) {
    auto set = SafetensorsSet::OpenFolder(SharedPath(c.dir));
    ASSERT_TRUE(set.ok()) << set.status().message();
    EXPECT_EQ((*set)->TensorNames().size(), c.n_tensors) << c.dir;
    EXPECT_EQ((*set)->files()[0]->metadata().at("format"), "pt");
    auto e = (*set)->Find(c.name);
    ASSERT_TRUE(e.has_value()) << c.dir << " " << c.name;
    EXPECT_EQ(e->info->raw_shape, c.raw_shape);
    auto v = (*set)->View(c.name);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->dtype, c.dtype);
    EXPECT_EQ(v->shape.ne[0], c.raw_shape[1]);
    EXPECT_EQ(v->shape.ne[1], c.raw_shape[0]);
  }
}

TEST(SafetensorsShared, StoriesEmbeddingMatchesGguf) {
  MT_REQUIRE_SHARED("models/stories260K-hf/model.safetensors");
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  auto st = SafetensorsFile::Open(SharedPath("models/stories260K-hf/model.safetensors"));
  auto gg = GgufFile::Open(SharedPath("models/stories260K.gguf"));
  ASSERT_TRUE(st.ok() && gg.ok());
  auto sv = (*st)->View(*(*st)->FindTensor("model.embed_tokens.weight"));
  TensorView gv = (*gg)->View(*(*gg)->FindTensor("token_embd.weight"));
  ASSERT_TRUE(sv.ok());
  EXPECT_EQ(sv->shape, gv.shape);
  ASSERT_EQ(sv->bytes(), gv.bytes());
  EXPECT_EQ(std::memcmp(sv->data, gv.data, gv.bytes()), 0);
}

TEST(SafetensorsBadInput, HeaderLength) {
  TempDir dir;
  EXPECT_MESSAGE_HAS(OpenError(WriteRaw(dir, "{}", 0, 1000)),
                     "model.safetensors: header length 1000 runs past the end of the file");
  EXPECT_MESSAGE_HAS(OpenError(WriteRaw(dir, "{}", 0, ~uint64_t{0} - 1)), "header length");
  GgufBytes::WriteFile(dir.File("short.safetensors"), "abc");
  EXPECT_MESSAGE_HAS(OpenError(dir.File("short.safetensors")),
                     "short.safetensors: file has 3 bytes");
  EXPECT_EQ(SafetensorsFile::Open(dir.File("missing.safetensors")).status().code(),
            StatusCode::kNotFound);
}

// The error from a file whose header holds one tensor 'w' described by `entry`.
std::string EntryError(const TempDir& dir, const std::string& entry, size_t data_bytes) {
  return OpenError(WriteRaw(dir, "{\"w\": " + entry + "}", data_bytes));
}

TEST(SafetensorsBadInput, MalformedHeader) {
  TempDir dir;
  EXPECT_MESSAGE_HAS(OpenError(WriteRaw(dir, "{\"a\": {\"dtype\": ", 0)),
                     "model.safetensors: header: invalid JSON at line 1");
  EXPECT_MESSAGE_HAS(OpenError(WriteRaw(dir, "[1, 2]", 0)), "header is an array");
  EXPECT_MESSAGE_HAS(EntryError(dir, R"({"shape": [1], "data_offsets": [0, 4]})", 4),
                     "tensor 'w': field 'dtype' is missing");
  EXPECT_MESSAGE_HAS(EntryError(dir, R"({"dtype": "Q4", "shape": [1], "data_offsets": [0, 4]})", 4),
                     "tensor 'w': has unknown dtype 'Q4'");
  EXPECT_MESSAGE_HAS(EntryError(dir, R"({"dtype": "F32", "shape":[-1], "data_offsets": [0,4]})", 4),
                     "tensor 'w': field 'shape' has number -1");
  EXPECT_MESSAGE_HAS(EntryError(dir, R"({"dtype": "F32", "shape": [1], "data_offsets": [0]})", 4),
                     "tensor 'w': field 'data_offsets' is [0]");
  EXPECT_MESSAGE_HAS(EntryError(dir, "[]", 0), "tensor 'w': is an array, expected an object");
  EXPECT_MESSAGE_HAS(OpenError(WriteRaw(dir, R"({"__metadata__": {"a": 1}})", 0)),
                     "__metadata__ 'a' is number 1, expected a string");
}

TEST(SafetensorsBadInput, DataOffsets) {
  TempDir dir;
  EXPECT_MESSAGE_HAS(EntryError(dir, R"({"dtype": "F32", "shape":[4], "data_offsets": [0,16]})", 8),
                     "model.safetensors: tensor 'w': data_offsets [0, 16] are outside the data "
                     "section of 8 bytes");
  EXPECT_MESSAGE_HAS(EntryError(dir, R"({"dtype": "F32", "shape": [1], "data_offsets": [8,4]})", 8),
                     "data_offsets [8, 4] are outside");
  EXPECT_MESSAGE_HAS(
      EntryError(dir, R"({"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 8]})", 8),
      "tensor 'w': data_offsets [0, 8] span 8 bytes but shape [2,3] of F16 needs 12");
  EXPECT_MESSAGE_HAS(EntryError(dir,
                                R"({"dtype": "F64", "shape": [4294967296, 4294967296],)"
                                R"( "data_offsets": [0, 8]})", 8),
                     "has too many elements");
}

// Random byte changes in a valid header: Open may succeed or fail, but never crash.
TEST(SafetensorsBadInput, RandomByteChanges) {
  TempDir dir;
  std::vector<float> a = {1, 2, 3, 4};
  const std::string good = dir.File("good.safetensors");
  ASSERT_TRUE(WriteSafetensors(good, {{"a", "F32", {2, 2}, a.data()}, {"b", "F16", {2}, a.data()}},
                               {{"format", "pt"}})
                  .ok());
  const std::vector<char> raw = miaotui::testing::ReadRawArray<char>(good);
  const size_t header = raw.size() - 20;
  std::mt19937_64 rng(11);
  for (int iter = 0; iter < 300; ++iter) {
    std::string bytes(raw.begin(), raw.end());
    for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
      bytes[rng() % header] = "0123456789[]{}\":,-e \xff"[rng() % 22];
    }
    const std::string path = dir.File("model.safetensors");
    GgufBytes::WriteFile(path, bytes);
    const std::string m = OpenError(path);
    if (!m.empty()) EXPECT_MESSAGE_HAS(m, "model.safetensors: ");
  }
}

}  // namespace
}  // namespace miaotui::formats
