// GgufFile::Open on bad input: every case must give a Status naming the file and the field,
// never a crash or a huge allocation (these tests also run under ASan/UBSan).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "formats/gguf.h"
#include "formats_test_util.h"
#include "test_util.h"

namespace miaotui::formats {
namespace {

using ::miaotui::formats::testing::GgufBytes;
using ::miaotui::testing::TempDir;

constexpr uint64_t k2To60 = uint64_t{1} << 60;

// Opens `bytes` written to a file and returns the error message ("" if it opened).
std::string OpenError(const TempDir& dir, const GgufBytes& bytes, StatusCode* code = nullptr) {
  const std::string path = dir.File("model.gguf");
  bytes.WriteTo(path);
  auto f = GgufFile::Open(path);
  if (f.ok()) return "";
  if (code) *code = f.status().code();
  return f.status().message();
}

#define EXPECT_FILE_ERROR(msg, part)     \
  do {                                   \
    const std::string m_ = (msg);        \
    ASSERT_FALSE(m_.empty());            \
    EXPECT_MESSAGE_HAS(m_, "model.gguf: "); \
    EXPECT_MESSAGE_HAS(m_, part);        \
  } while (0)

TEST(GgufBadInput, MissingFile) {
  TempDir dir;
  auto f = GgufFile::Open(dir.File("nope.gguf"));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
  EXPECT_MESSAGE_HAS(f.status().message(), "nope.gguf");
}

TEST(GgufBadInput, NotAGguf) {
  TempDir dir;
  EXPECT_FILE_ERROR(OpenError(dir, GgufBytes().Raw("{\"a\": 1}\n", 9)),
                    "not a GGUF file (starts with '{\"a\"', expected 'GGUF')");
  EXPECT_FILE_ERROR(OpenError(dir, GgufBytes()), "not a GGUF file");
  EXPECT_FILE_ERROR(OpenError(dir, GgufBytes().Raw("GG", 2)), "not a GGUF file");
}

TEST(GgufBadInput, WrongVersion) {
  TempDir dir;
  StatusCode code{};
  EXPECT_FILE_ERROR(OpenError(dir, GgufBytes().Header(0, 0, 1), &code), "version 1");
  EXPECT_EQ(code, StatusCode::kUnimplemented);
  EXPECT_FILE_ERROR(OpenError(dir, GgufBytes().Header(0, 0, 4)), "unsupported GGUF version 4");
  EXPECT_FILE_ERROR(OpenError(dir, GgufBytes().Header(0, 0, 3u << 24)), "big-endian");
  EXPECT_TRUE(OpenError(dir, GgufBytes().Header(0, 0, 2)).empty());
  EXPECT_TRUE(OpenError(dir, GgufBytes().Header(0, 0, 3)).empty());
}

TEST(GgufBadInput, AbsurdCounts) {
  TempDir dir;
  EXPECT_FILE_ERROR(OpenError(dir, GgufBytes().Header(k2To60, 0)),
                    "n_tensors is 1152921504606846976");
  EXPECT_FILE_ERROR(OpenError(dir, GgufBytes().Header(0, k2To60)), "n_kv is 1152921504606846976");
  EXPECT_FILE_ERROR(OpenError(dir, GgufBytes().Header(~uint64_t{0}, ~uint64_t{0})), "n_kv");
}

TEST(GgufBadInput, HugeStringLengths) {
  TempDir dir;
  GgufBytes key_len;
  key_len.Header(0, 1).U64(uint64_t{1} << 63).U32(4).U32(0);
  EXPECT_FILE_ERROR(OpenError(dir, key_len), "metadata key #0: string length 9223372036854775808");
  GgufBytes value_len;
  value_len.Header(0, 1).Str("general.name").U32(8).U64(~uint64_t{0});
  EXPECT_FILE_ERROR(OpenError(dir, value_len), "key 'general.name': string length");
  GgufBytes name_len;
  name_len.Header(1, 0).U64(k2To60).Raw("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 32);
  EXPECT_FILE_ERROR(OpenError(dir, name_len), "tensor info #0: string length");
}

TEST(GgufBadInput, HugeArrays) {
  TempDir dir;
  auto array_of = [](uint32_t elem_type, uint64_t count) {
    GgufBytes b;
    b.Header(0, 1).Str("tokenizer.ggml.tokens").U32(9).U32(elem_type).U64(count);
    return b.Raw("abcdefghijklmnop", 16);
  };
  EXPECT_FILE_ERROR(OpenError(dir, array_of(8, k2To60)),
                    "key 'tokenizer.ggml.tokens': array of 1152921504606846976 string");
  EXPECT_FILE_ERROR(OpenError(dir, array_of(12, ~uint64_t{0})), "array of");
  EXPECT_FILE_ERROR(OpenError(dir, array_of(9, 2)), "array of 2 array");
  EXPECT_FILE_ERROR(OpenError(dir, array_of(0, 17)), "needs at least 17 bytes");
  // An array whose element type id is unknown.
  EXPECT_FILE_ERROR(OpenError(dir, array_of(13, 1)), "unknown value type id 13");
  // An array of strings where element 1 has an absurd length.
  GgufBytes strs;
  strs.Header(0, 1).Str("k").U32(9).U32(8).U64(2).Str("ok").U64(k2To60);
  EXPECT_FILE_ERROR(OpenError(dir, strs), "key 'k': element 1: string length");
}

TEST(GgufBadInput, DeeplyNestedArrays) {
  TempDir dir;
  GgufBytes b;
  b.Header(0, 1).Str("deep").U32(9);
  for (int k = 0; k < 1000; ++k) b.U32(9).U64(1);
  EXPECT_FILE_ERROR(OpenError(dir, b), "nested more than 16 deep");
}

TEST(GgufBadInput, UnknownValueType) {
  TempDir dir;
  GgufBytes b;
  b.Header(0, 1).Str("general.x").U32(77).U64(0);
  EXPECT_FILE_ERROR(OpenError(dir, b), "key 'general.x': unknown value type id 77");
}

TEST(GgufBadInput, DuplicateKeyAndTensor) {
  TempDir dir;
  GgufBytes keys;
  keys.Header(0, 2).KvString("general.name", "a").KvString("general.name", "b");
  EXPECT_FILE_ERROR(OpenError(dir, keys), "duplicate key 'general.name'");
  GgufBytes tensors;
  tensors.Header(2, 0).Tensor("w", 8, 1, 0, 0).Tensor("w", 8, 1, 0, 32).AlignAndData(32, 64);
  EXPECT_FILE_ERROR(OpenError(dir, tensors), "duplicate tensor name 'w'");
}

TEST(GgufBadInput, TensorInfoFields) {
  TempDir dir;
  GgufBytes unknown_type;
  unknown_type.Header(1, 0).Tensor("blk.0.attn_q.weight", 8, 1, 99, 0).AlignAndData(32, 32);
  StatusCode code{};
  EXPECT_FILE_ERROR(OpenError(dir, unknown_type, &code),
                    "tensor 'blk.0.attn_q.weight' has unknown type id 99");
  GgufBytes dims5;
  dims5.Header(1, 0).Str("t").U32(5);
  for (int k = 0; k < 5; ++k) dims5.U64(1);
  dims5.U32(0).U64(0).AlignAndData(32, 32);
  EXPECT_FILE_ERROR(OpenError(dir, dims5), "tensor 't' has n_dims 5, expected 1 to 4");
  GgufBytes dims0;
  dims0.Header(1, 0).Str("t").U32(0).U32(0).U64(0).U64(0).AlignAndData(32, 32);
  EXPECT_FILE_ERROR(OpenError(dir, dims0), "has n_dims 0");
  GgufBytes negative;
  negative.Header(1, 0).Tensor("t", ~uint64_t{0}, 1, 0, 0).AlignAndData(32, 32);
  EXPECT_FILE_ERROR(OpenError(dir, negative), "tensor 't' ne[0] is negative");
  GgufBytes overflow;
  overflow.Header(1, 0).Tensor("t", uint64_t{1} << 40, uint64_t{1} << 40, 0, 0);
  EXPECT_FILE_ERROR(OpenError(dir, overflow.AlignAndData(32, 32)), "too many elements");
  GgufBytes bytes_overflow;
  bytes_overflow.Header(1, 0).Tensor("t", uint64_t{1} << 62, 1, 0, 0).AlignAndData(32, 32);
  EXPECT_FILE_ERROR(OpenError(dir, bytes_overflow), "too many bytes");
  GgufBytes block;
  block.Header(1, 0).Tensor("q", 33, 1, 2, 0).AlignAndData(32, 64);
  EXPECT_FILE_ERROR(OpenError(dir, block),
                    "tensor 'q' has ne[0] 33, not a multiple of the Q4_0 block size 32");
  GgufBytes misaligned;
  misaligned.Header(1, 0).Tensor("m", 4, 1, 0, 8).AlignAndData(32, 64);
  EXPECT_FILE_ERROR(OpenError(dir, misaligned),
                    "tensor 'm' has offset 8, not a multiple of the alignment 32");
}

TEST(GgufBadInput, TensorPastEndOfFile) {
  TempDir dir;
  GgufBytes b;
  b.Header(2, 0).Tensor("a", 8, 1, 0, 0).Tensor("output.weight", 64, 4, 0, 32);
  b.AlignAndData(32, 32 + 100);
  const uint64_t size = b.bytes().size();
  const uint64_t end = size - 100 + 1024;
  EXPECT_FILE_ERROR(OpenError(dir, b), "tensor 'output.weight' ends at byte " +
                                           std::to_string(end) + " but the file has " +
                                           std::to_string(size) + " bytes (truncated download?)");
  GgufBytes wrap;
  wrap.Header(1, 0).Tensor("w", 8, 1, 0, ~uint64_t{0} - 31).AlignAndData(32, 32);
  EXPECT_FILE_ERROR(OpenError(dir, wrap), "tensor 'w' ends at byte");
}

TEST(GgufBadInput, Alignment) {
  TempDir dir;
  for (uint32_t bad : {0u, 3u, 24u, 0x80000000u}) {
    GgufBytes b;
    b.Header(0, 1).KvU32("general.alignment", bad);
    EXPECT_FILE_ERROR(OpenError(dir, b), "key 'general.alignment' is " + std::to_string(bad) +
                                             ", expected a nonzero power of two");
  }
  GgufBytes str;
  str.Header(0, 1).KvString("general.alignment", "32");
  EXPECT_FILE_ERROR(OpenError(dir, str), "'general.alignment' has type string");
  GgufBytes ok;
  ok.Header(1, 1).KvU32("general.alignment", 16).Tensor("t", 4, 1, 0, 16).AlignAndData(16, 32);
  EXPECT_TRUE(OpenError(dir, ok).empty()) << OpenError(dir, ok);
}

// A valid file cut short anywhere (every byte of the header, and random points in the data)
// must fail cleanly.
TEST(GgufBadInput, TruncatedEverywhere) {
  TempDir dir;
  GgufWriter w;
  w.SetString("general.architecture", "llama");
  w.SetStringArray("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "hello"});
  w.SetFloat32Array("tokenizer.ggml.scores", {0, 0, 0, -1.5f});
  w.SetUint32("llama.block_count", 1);
  std::vector<float> a(64, 1.0f), b(96, 2.0f);
  w.AddTensor("token_embd.weight", DType::kF32, Shape::Of(16, 4), a.data());
  w.AddTensor("output.weight", DType::kF32, Shape::Of(32, 3), b.data());
  const std::string full_path = dir.File("full.gguf");
  ASSERT_TRUE(w.Write(full_path).ok());
  auto full = GgufFile::Open(full_path);
  ASSERT_TRUE(full.ok());
  const uint64_t data_end = (*full)->data_offset() + (*full)->FindTensor("output.weight")->offset +
                            (*full)->FindTensor("output.weight")->n_bytes;
  ASSERT_EQ(data_end, (*full)->file_size());
  const std::vector<char> raw = miaotui::testing::ReadRawArray<char>(full_path);
  const std::string bytes(raw.begin(), raw.end());
  std::vector<uint64_t> cuts;
  for (uint64_t c = 0; c < (*full)->data_offset(); ++c) cuts.push_back(c);
  std::mt19937_64 rng(20250220);
  for (int k = 0; k < 10; ++k) cuts.push_back(rng() % data_end);
  for (uint64_t cut : cuts) {
    GgufBytes part;
    part.Raw(bytes.data(), cut);
    const std::string m = OpenError(dir, part);
    EXPECT_FALSE(m.empty()) << "cut at " << cut;
    EXPECT_MESSAGE_HAS(m, "model.gguf: ");
  }
}

// Random byte changes in the header region: Open may succeed or fail, but never crash.
TEST(GgufBadInput, RandomByteChanges) {
  TempDir dir;
  GgufWriter w;
  w.SetString("general.architecture", "llama");
  w.SetStringArray("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>"});
  w.SetInt32Array("tokenizer.ggml.token_type", {2, 3, 3});
  std::vector<float> a(64, 1.0f);
  w.AddTensor("token_embd.weight", DType::kF32, Shape::Of(16, 4), a.data());
  ASSERT_TRUE(w.Write(dir.File("full.gguf")).ok());
  const std::vector<char> raw = miaotui::testing::ReadRawArray<char>(dir.File("full.gguf"));
  const size_t header = raw.size() - a.size() * sizeof(float);
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 500; ++iter) {
    std::string bytes(raw.begin(), raw.end());
    const int changes = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < changes; ++k) {
      const size_t at = 4 + rng() % (header - 4);
      bytes[at] = (rng() % 2) ? static_cast<char>(rng()) : static_cast<char>(0xff);
    }
    GgufBytes part;
    part.Raw(bytes.data(), bytes.size());
    const std::string m = OpenError(dir, part);
    if (!m.empty()) EXPECT_MESSAGE_HAS(m, "model.gguf: ");
  }
}

}  // namespace
}  // namespace miaotui::formats
