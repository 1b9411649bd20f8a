// Bad model input: every case gives a one-line error naming the file and the field or tensor,
// never a crash or a huge allocation. Runs under ASan + UBSan in CI (label "asan").
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <cmath>
#include <cstring>
#include <random>

#include "formats/gguf.h"
#include "models/model.h"
#include "runtime/generator.h"
#include "test_util.h"

namespace miaotui {
namespace {

using testing::SharedPath;
using testing::TempDir;

const char* kModel = "models/stories260K.gguf";

std::string LoadError(const std::string& path) {
  auto m = models::LoadModel(path);
  EXPECT_FALSE(m.ok()) << path << " loaded but should not have";
  if (m.ok()) return "";
  const std::string& msg = m.status().message();
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "multi-line error: " << msg;
  return msg;
}

std::vector<char> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const char* data, size_t n) {
  std::ofstream out(path, std::ios::binary);
  out.write(data, static_cast<std::streamsize>(n));
}

// Copies the shared model with `edit` applied to the writer's inputs.
std::string CopyModel(const TempDir& dir, const std::string& name,
                      const std::function<bool(const std::string& tensor)>& keep_tensor,
                      const std::function<void(formats::GgufWriter&)>& edit_metadata) {
  auto f = formats::GgufFile::Open(SharedPath(kModel));
  EXPECT_TRUE(f.ok());
  formats::GgufWriter w;
  for (const auto& kv : (*f)->metadata()) w.SetValue(kv.key, kv.value);
  edit_metadata(w);
  for (const auto& t : (*f)->tensors()) {
    if (keep_tensor(t.name)) w.AddTensor(t.name, t.dtype, t.shape, (*f)->View(t).data);
  }
  std::string out = dir.File(name);
  EXPECT_TRUE(w.Write(out).ok());
  return out;
}

class ModelErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::SharedExists(kModel)) GTEST_SKIP() << "needs ../shared";
  }
  TempDir dir_;
};

TEST_F(ModelErrorsTest, MissingFile) {
  std::string msg = LoadError(dir_.File("nope.gguf"));
  EXPECT_NE(msg.find("nope.gguf"), std::string::npos) << msg;
}

TEST_F(ModelErrorsTest, NotAGguf) {
  std::string p = dir_.File("text.gguf");
  WriteAll(p, "hello, this is not a model\n", 27);
  std::string msg = LoadError(p);
  EXPECT_NE(msg.find("text.gguf"), std::string::npos) << msg;
}

TEST_F(ModelErrorsTest, TruncatedAtRandomPoints) {
  std::vector<char> bytes = ReadAll(SharedPath(kModel));
  std::mt19937 rng(7);
  std::vector<size_t> cuts = {0, 3, 8, 24, bytes.size() - 1};
  while (cuts.size() < 10) cuts.push_back(rng() % bytes.size());
  for (size_t cut : cuts) {
    std::string p = dir_.File("cut.gguf");
    WriteAll(p, bytes.data(), cut);
    std::string msg = LoadError(p);
    EXPECT_NE(msg.find("cut.gguf"), std::string::npos) << "cut at " << cut << ": " << msg;
  }
}

TEST_F(ModelErrorsTest, TensorPastEndOfFileIsNamed) {
  std::vector<char> bytes = ReadAll(SharedPath(kModel));
  std::string p = dir_.File("short.gguf");
  WriteAll(p, bytes.data(), bytes.size() - 100);
  std::string msg = LoadError(p);
  EXPECT_NE(msg.find("short.gguf"), std::string::npos) << msg;
  EXPECT_NE(msg.find("tensor '"), std::string::npos) << msg;
}

TEST_F(ModelErrorsTest, AbsurdCounts) {
  std::vector<char> bytes = ReadAll(SharedPath(kModel));
  for (int field : {0, 1}) {  // n_tensors at byte 8, n_kv at byte 16
    std::vector<char> b = bytes;
    uint64_t absurd = 1ull << 60;
    std::memcpy(b.data() + 8 + 8 * field, &absurd, 8);
    std::string p = dir_.File("absurd.gguf");
    WriteAll(p, b.data(), b.size());
    std::string msg = LoadError(p);
    EXPECT_NE(msg.find("absurd.gguf"), std::string::npos) << msg;
  }
}

TEST_F(ModelErrorsTest, UnknownArchitectureIsNamed) {
  std::string p = CopyModel(dir_, "arch.gguf", [](const std::string&) { return true; },
                            [](formats::GgufWriter& w) {
                              w.SetString("general.architecture", "mamba9");
                            });
  std::string msg = LoadError(p);
  EXPECT_NE(msg.find("mamba9"), std::string::npos) << msg;
  EXPECT_NE(msg.find("llama"), std::string::npos) << "should list supported: " << msg;
}

TEST_F(ModelErrorsTest, MissingTensorIsNamed) {
  std::string p = CopyModel(
      dir_, "missing.gguf", [](const std::string& t) { return t != "blk.3.attn_k.weight"; },
      [](formats::GgufWriter&) {});
  std::string msg = LoadError(p);
  EXPECT_NE(msg.find("blk.3.attn_k.weight"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing.gguf"), std::string::npos) << msg;
}

TEST_F(ModelErrorsTest, ShapeThatContradictsConfigIsNamed) {
  std::string p = CopyModel(dir_, "shape.gguf", [](const std::string&) { return true; },
                            [](formats::GgufWriter& w) {
                              w.SetUint32("llama.feed_forward_length", 176);
                            });
  std::string msg = LoadError(p);
  EXPECT_NE(msg.find("ffn_gate"), std::string::npos) << msg;
  EXPECT_NE(msg.find("176"), std::string::npos) << msg;
}

TEST_F(ModelErrorsTest, AbsurdHyperparametersAreRefused) {
  std::string p = CopyModel(dir_, "layers.gguf", [](const std::string&) { return true; },
                            [](formats::GgufWriter& w) {
                              w.SetUint32("llama.block_count", 4000000000u);
                            });
  std::string msg = LoadError(p);
  EXPECT_NE(msg.find("layers.gguf"), std::string::npos) << msg;
}


// A NaN weight (or a NaN block scale in a quantized file) is reported with the tensor's name
// as soon as it makes the logits non-finite, not propagated silently.
std::string GenerateError(const std::string& path) {
  auto model = models::LoadModel(path);
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok()) return "";
  runtime::SessionOptions so;
  so.n_ctx = 64;
  auto session = runtime::Session::Create(**model, so);
  runtime::GenerateOptions go;
  go.n_predict = 4;
  go.sampling.temperature = 0;
  auto r = runtime::Generate(**session, (*model)->tokenizer().Encode("Once upon a time", true),
                             go, nullptr);
  EXPECT_FALSE(r.ok()) << path << " generated despite a NaN weight";
  return r.ok() ? "" : r.status().message();
}

std::string CopyWithPoke(const TempDir& dir, const std::string& model_rel, const std::string& name,
                         const std::string& tensor, size_t byte, const std::vector<uint8_t>& bytes) {
  auto f = formats::GgufFile::Open(SharedPath(model_rel));
  EXPECT_TRUE(f.ok());
  formats::GgufWriter w;
  for (const auto& kv : (*f)->metadata()) w.SetValue(kv.key, kv.value);
  std::vector<uint8_t> copy;
  for (const auto& t : (*f)->tensors()) {
    TensorView v = (*f)->View(t);
    if (t.name == tensor) {
      const auto* p = static_cast<const uint8_t*>(v.data);
      copy.assign(p, p + v.bytes());
      std::copy(bytes.begin(), bytes.end(), copy.begin() + byte);
      w.AddTensor(t.name, t.dtype, t.shape, copy.data());
    } else {
      w.AddTensor(t.name, t.dtype, t.shape, v.data);
    }
  }
  std::string out = dir.File(name);
  EXPECT_TRUE(w.Write(out).ok());
  return out;
}

TEST_F(ModelErrorsTest, NanWeightIsNamed) {
  const float nan = std::nanf("");
  std::vector<uint8_t> bytes(4);
  std::memcpy(bytes.data(), &nan, 4);
  // token_embd row 1 (BOS, read first) would be enough; poke a matmul weight instead.
  std::string p = CopyWithPoke(dir_, kModel, "nan.gguf", "blk.2.ffn_up.weight", 4 * 100, bytes);
  std::string msg = GenerateError(p);
  EXPECT_NE(msg.find("blk.2.ffn_up.weight"), std::string::npos) << msg;
  EXPECT_NE(msg.find("NaN"), std::string::npos) << msg;
}

TEST_F(ModelErrorsTest, NanBlockScaleInQuantizedFileIsNamed) {
  const std::string q8 = "models/quant-test-Q8_0.gguf";
  if (!testing::SharedExists(q8)) GTEST_SKIP() << "needs " << q8;
  // Q8_0 blocks are 34 bytes with the F16 scale first; 0x7E00 is a half NaN.
  std::string p = CopyWithPoke(dir_, q8, "nan_q8.gguf", "blk.0.attn_k.weight", 34 * 5, {0x00, 0x7E});
  std::string msg = GenerateError(p);
  EXPECT_NE(msg.find("blk.0.attn_k.weight"), std::string::npos) << msg;
}

}  // namespace
}  // namespace miaotui
