// LoadTokenizerFromGguf: key checks on hand-written GGUF files, other tokenizer models.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace miaotui::tokenizer {
namespace {

using ::miaotui::testing::TempDir;

// A vocab-only GGUF (no tensors) with a tiny valid vocabulary; `edit` changes it before writing.
Result<std::unique_ptr<Tokenizer>> WriteAndLoad(
    const std::function<void(formats::GgufWriter*)>& edit, std::string* path_out = nullptr) {
  TempDir dir;
  const std::string path = dir.File("vocab.gguf");
  if (path_out) *path_out = path;
  formats::GgufWriter w;
  w.SetString("general.architecture", "llama");
  w.SetString("tokenizer.ggml.model", "llama");
  w.SetStringArray("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a",
                                             "\xE2\x96\x81" "a"});
  w.SetFloat32Array("tokenizer.ggml.scores", {0, 0, 0, -1, -2, -3});
  w.SetInt32Array("tokenizer.ggml.token_type", {2, 3, 3, 1, 1, 1});
  w.SetUint32("tokenizer.ggml.bos_token_id", 1);
  w.SetUint32("tokenizer.ggml.eos_token_id", 2);
  w.SetUint32("tokenizer.ggml.padding_token_id", 0xFFFFFFFFu);  // "none", as llama.cpp writes
  if (edit) edit(&w);
  Status st = w.Write(path);
  if (!st.ok()) return st;
  auto file = formats::GgufFile::Open(path);
  if (!file.ok()) return file.status();
  return LoadTokenizerFromGguf(**file);
}

void ExpectError(const Result<std::unique_ptr<Tokenizer>>& r, StatusCode code,
                 const std::vector<std::string>& needles) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status().message();
  for (const std::string& n : needles) {
    EXPECT_NE(r.status().message().find(n), std::string::npos) << r.status().message();
  }
}

TEST(GgufLoaderTest, VocabOnlyFileLoads) {
  auto tok = WriteAndLoad(nullptr);
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  EXPECT_EQ((*tok)->Encode("a a", true), (std::vector<int32_t>{1, 5, 5}));
  EXPECT_EQ((*tok)->vocab().pad_id, -1);
  EXPECT_EQ((*tok)->vocab().unk_id, 0);  // llama.cpp's default
  EXPECT_TRUE((*tok)->vocab().add_bos);
  EXPECT_FALSE((*tok)->vocab().add_eos);
}

TEST(GgufLoaderTest, FlagsAndEndOfGeneration) {
  auto tok = WriteAndLoad([](formats::GgufWriter* w) {
    w->SetBool("tokenizer.ggml.add_bos_token", false);
    w->SetBool("tokenizer.ggml.add_eos_token", true);
    w->SetBool("tokenizer.ggml.add_space_prefix", false);
    w->SetUint32("tokenizer.ggml.eot_token_id", 4);
    w->SetUint32("tokenizer.ggml.eom_token_id", 3);
  });
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  EXPECT_EQ((*tok)->Encode("a a", true), (std::vector<int32_t>{4, 5, 2}));
  EXPECT_TRUE((*tok)->IsEndOfGeneration(2));
  EXPECT_TRUE((*tok)->IsEndOfGeneration(4));
  EXPECT_TRUE((*tok)->IsEndOfGeneration(3));
  EXPECT_FALSE((*tok)->IsEndOfGeneration(5));
  EXPECT_FALSE((*tok)->IsEndOfGeneration(-7));
  EXPECT_FALSE((*tok)->IsEndOfGeneration(999));
}

TEST(GgufLoaderTest, BadKeysNameFileAndKey) {
  std::string path;
  ExpectError(WriteAndLoad([](formats::GgufWriter* w) {
                w->SetString("tokenizer.ggml.model", "rwkv");
              }, &path),
              StatusCode::kUnimplemented, {"vocab.gguf", "tokenizer.ggml.model", "rwkv"});
  ExpectError(WriteAndLoad([](formats::GgufWriter* w) {
                w->SetString("tokenizer.ggml.model", "gpt2");
              }),
              StatusCode::kNotFound, {"vocab.gguf", "tokenizer.ggml.merges"});
  ExpectError(WriteAndLoad([](formats::GgufWriter* w) {
                w->SetString("tokenizer.ggml.model", "gpt2");
                w->SetString("tokenizer.ggml.pre", "no-such-pre");
                w->SetStringArray("tokenizer.ggml.merges", {});
              }),
              StatusCode::kUnimplemented, {"vocab.gguf", "tokenizer.ggml.pre", "no-such-pre"});
  ExpectError(WriteAndLoad([](formats::GgufWriter* w) {
                w->SetFloat32Array("tokenizer.ggml.scores", {0, 0});
              }),
              StatusCode::kInvalidArgument, {"vocab.gguf", "tokenizer.ggml.scores", "6"});
  ExpectError(WriteAndLoad([](formats::GgufWriter* w) {
                w->SetInt32Array("tokenizer.ggml.token_type", {1, 1, 1, 1, 1, 9});
              }),
              StatusCode::kInvalidArgument, {"vocab.gguf", "tokenizer.ggml.token_type"});
  ExpectError(WriteAndLoad([](formats::GgufWriter* w) {
                w->SetUint32("tokenizer.ggml.bos_token_id", 6);
              }),
              StatusCode::kInvalidArgument, {"vocab.gguf", "tokenizer.ggml.bos_token_id", "6"});
  ExpectError(WriteAndLoad([](formats::GgufWriter* w) {
                w->SetString("tokenizer.ggml.eos_token_id", "two");
              }),
              StatusCode::kInvalidArgument, {"vocab.gguf", "tokenizer.ggml.eos_token_id"});
  ExpectError(WriteAndLoad([](formats::GgufWriter* w) {
                w->SetStringArray("tokenizer.ggml.tokens", {});
              }),
              StatusCode::kInvalidArgument, {"vocab.gguf", "tokenizer.ggml.tokens"});
  ExpectError(WriteAndLoad([](formats::GgufWriter* w) {
                w->SetInt32Array("tokenizer.ggml.token_type", {2, 3, 3, 1, 6, 1});  // "a": BYTE
              }),
              StatusCode::kInvalidArgument, {"vocab.gguf", "BYTE"});
}

TEST(GgufLoaderTest, MissingModelKey) {
  TempDir dir;
  formats::GgufWriter w;
  w.SetString("general.architecture", "llama");
  ASSERT_TRUE(w.Write(dir.File("x.gguf")).ok());
  auto file = formats::GgufFile::Open(dir.File("x.gguf"));
  ASSERT_TRUE(file.ok());
  auto tok = LoadTokenizerFromGguf(**file);
  ExpectError(tok, StatusCode::kNotFound, {"x.gguf", "tokenizer.ggml.model"});
}

TEST(GgufLoaderTest, ModelKindsFromFixtures) {
  for (const char* name : {"gpt-2", "bert-bge", "starcoder"}) {
    const std::string rel = std::string("fixtures/tokenizer/ggml-vocab-") + name + ".gguf";
    if (!::miaotui::testing::SharedExists(rel)) continue;
    auto file = formats::GgufFile::Open(::miaotui::testing::SharedPath(rel));
    ASSERT_TRUE(file.ok()) << file.status().message();
    auto tok = LoadTokenizerFromGguf(**file);
    ASSERT_TRUE(tok.ok()) << tok.status().message();
    EXPECT_EQ((*tok)->vocab().model, std::string(name) == "bert-bge" ? "bert" : "gpt2");
  }
}

}  // namespace
}  // namespace miaotui::tokenizer
