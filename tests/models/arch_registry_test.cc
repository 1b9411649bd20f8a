// One tiny random model per registered architecture, written as GGUF in the test's temp folder:
// every entry of models::Architectures() must load and give the same outputs run after run, on
// 1, 2 and 3 threads, whole prompt vs token by token vs split batches, and with the graph passes
// on or off. Decoders run through runtime::Session, encoders through runtime::Embedder (packed
// batches split by max_batch_tokens). A registered architecture without a tiny model here fails.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <random>

#include "formats/gguf.h"
#include "golden_util.h"
#include "models/registry.h"
#include "models/synth.h"
#include "models/weight_source.h"
#include "runtime/embedder.h"
#include "tokenizer/synth_vocab.h"

namespace miaotui {
namespace {

using testing::MaxAbsDiff;
using testing::TempDir;

constexpr int64_t kEmbd = 32, kFf = 64, kLayers = 2, kHeads = 4, kHeadsKv = 2, kVocab = 400;
constexpr int64_t kCtx = 64, kKvDim = kHeadsKv * kEmbd / kHeads;
constexpr float kTol = 1e-4f;

// Tensors of one tiny model: name ("{}" = every layer) and shape in GGUF order.
using TensorList = std::vector<std::pair<std::string, Shape>>;

struct TinyArch {
  std::function<void(formats::GgufWriter&)> keys;
  TensorList tensors;
};

void CommonKeys(formats::GgufWriter& w, const std::string& arch) {
  w.SetString("general.architecture", arch);
  w.SetUint32(arch + ".context_length", kCtx);
  w.SetUint32(arch + ".embedding_length", kEmbd);
  w.SetUint32(arch + ".feed_forward_length", kFf);
  w.SetUint32(arch + ".block_count", kLayers);
  w.SetUint32(arch + ".attention.head_count", kHeads);
}

TensorList LlamaTensors(bool fused, bool bias) {
  TensorList t = {{"token_embd.weight", Shape::Of(kEmbd, kVocab)},
                  {"output_norm.weight", Shape::Of(kEmbd)},
                  {"output.weight", Shape::Of(kEmbd, kVocab)},
                  {"blk.{}.attn_norm.weight", Shape::Of(kEmbd)},
                  {"blk.{}.attn_output.weight", Shape::Of(kEmbd, kEmbd)},
                  {"blk.{}.ffn_norm.weight", Shape::Of(kEmbd)},
                  {"blk.{}.ffn_down.weight", Shape::Of(kFf, kEmbd)}};
  if (fused) {
    t.push_back({"blk.{}.attn_qkv.weight", Shape::Of(kEmbd, kEmbd + 2 * kKvDim)});
    t.push_back({"blk.{}.ffn_up.weight", Shape::Of(kEmbd, 2 * kFf)});
  } else {
    t.push_back({"blk.{}.attn_q.weight", Shape::Of(kEmbd, kEmbd)});
    t.push_back({"blk.{}.attn_k.weight", Shape::Of(kEmbd, kKvDim)});
    t.push_back({"blk.{}.attn_v.weight", Shape::Of(kEmbd, kKvDim)});
    t.push_back({"blk.{}.ffn_gate.weight", Shape::Of(kEmbd, kFf)});
    t.push_back({"blk.{}.ffn_up.weight", Shape::Of(kEmbd, kFf)});
  }
  if (bias) {
    t.push_back({"blk.{}.attn_q.bias", Shape::Of(kEmbd)});
    t.push_back({"blk.{}.attn_k.bias", Shape::Of(kKvDim)});
    t.push_back({"blk.{}.attn_v.bias", Shape::Of(kKvDim)});
  }
  return t;
}

// Decoders with their features on: a sliding window shorter than the prompt (llama, phi3),
// Llama 3 frequency divisors (llama), biases (qwen2), fused tensors and partial rotary (phi3).
const std::map<std::string, TinyArch>& TinyArchs() {
  static const std::map<std::string, TinyArch> kArchs = [] {
    std::map<std::string, TinyArch> m;
    auto llama_keys = [](const std::string& arch, int64_t window, int64_t n_rot) {
      return [=](formats::GgufWriter& w) {
        CommonKeys(w, arch);
        w.SetUint32(arch + ".attention.head_count_kv", kHeadsKv);
        w.SetUint32(arch + ".rope.dimension_count", static_cast<uint32_t>(n_rot));
        w.SetFloat32(arch + ".rope.freq_base", 10000.0f);
        if (window > 0) w.SetUint32(arch + ".attention.sliding_window", window);
      };
    };
    m["llama"] = {llama_keys("llama", 5, kEmbd / kHeads), LlamaTensors(false, false)};
    m["llama"].tensors.push_back({"rope_freqs.weight", Shape::Of(kEmbd / kHeads / 2)});
    m["qwen2"] = {llama_keys("qwen2", 0, kEmbd / kHeads), LlamaTensors(false, true)};
    m["phi3"] = {llama_keys("phi3", 7, kEmbd / kHeads / 2), LlamaTensors(true, false)};
    m["gpt2"] = {[](formats::GgufWriter& w) { CommonKeys(w, "gpt2"); },
                 {{"token_embd.weight", Shape::Of(kEmbd, kVocab)},
                  {"position_embd.weight", Shape::Of(kEmbd, kCtx)},
                  {"output_norm.weight", Shape::Of(kEmbd)},
                  {"output_norm.bias", Shape::Of(kEmbd)},
                  {"blk.{}.attn_norm.weight", Shape::Of(kEmbd)},
                  {"blk.{}.attn_norm.bias", Shape::Of(kEmbd)},
                  {"blk.{}.attn_qkv.weight", Shape::Of(kEmbd, 3 * kEmbd)},
                  {"blk.{}.attn_qkv.bias", Shape::Of(3 * kEmbd)},
                  {"blk.{}.attn_output.weight", Shape::Of(kEmbd, kEmbd)},
                  {"blk.{}.attn_output.bias", Shape::Of(kEmbd)},
                  {"blk.{}.ffn_norm.weight", Shape::Of(kEmbd)},
                  {"blk.{}.ffn_norm.bias", Shape::Of(kEmbd)},
                  {"blk.{}.ffn_up.weight", Shape::Of(kEmbd, kFf)},
                  {"blk.{}.ffn_up.bias", Shape::Of(kFf)},
                  {"blk.{}.ffn_down.weight", Shape::Of(kFf, kEmbd)},
                  {"blk.{}.ffn_down.bias", Shape::Of(kEmbd)}}};
    TensorList bert = {{"token_embd.weight", Shape::Of(kEmbd, kVocab)},
                       {"position_embd.weight", Shape::Of(kEmbd, kCtx)},
                       {"token_types.weight", Shape::Of(kEmbd, 2)},
                       {"token_embd_norm.weight", Shape::Of(kEmbd)},
                       {"token_embd_norm.bias", Shape::Of(kEmbd)}};
    for (const char* n : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      bert.push_back({"blk.{}." + std::string(n) + ".weight", Shape::Of(kEmbd, kEmbd)});
      bert.push_back({"blk.{}." + std::string(n) + ".bias", Shape::Of(kEmbd)});
    }
    for (const char* n : {"attn_output_norm", "layer_output_norm"}) {
      bert.push_back({"blk.{}." + std::string(n) + ".weight", Shape::Of(kEmbd)});
      bert.push_back({"blk.{}." + std::string(n) + ".bias", Shape::Of(kEmbd)});
    }
    bert.push_back({"blk.{}.ffn_up.weight", Shape::Of(kEmbd, kFf)});
    bert.push_back({"blk.{}.ffn_up.bias", Shape::Of(kFf)});
    bert.push_back({"blk.{}.ffn_down.weight", Shape::Of(kFf, kEmbd)});
    bert.push_back({"blk.{}.ffn_down.bias", Shape::Of(kEmbd)});
    m["bert"] = {[](formats::GgufWriter& w) {
                   CommonKeys(w, "bert");
                   w.SetUint32("bert.pooling_type", 1);
                 },
                 bert};
    return m;
  }();
  return kArchs;
}

// Writes the tiny model of `arch` with random F32 weights (1-D weights near 1, so norms and
// frequency divisors stay sane).
std::string WriteTiny(const TempDir& dir, const std::string& arch, const TinyArch& t) {
  formats::GgufWriter w;
  t.keys(w);
  models::AddVocabMetadata(w, tokenizer::GenerateSynthVocab(kVocab));
  std::mt19937 rng(1234);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<std::vector<float>> data;
  for (const auto& [pattern, shape] : t.tensors) {
    const bool per_layer = pattern.find("{}") != std::string::npos;
    for (int64_t l = 0; l < (per_layer ? kLayers : 1); ++l) {
      std::vector<float> v(static_cast<size_t>(shape.NumElements()));
      const bool one_d = shape.ne[1] == 1;
      const float scale = one_d ? 0.1f : 1.0f / std::sqrt(static_cast<float>(shape.ne[0]));
      for (float& x : v) x = (one_d && pattern.find("bias") == std::string::npos ? 1.0f : 0.0f) +
                             scale * normal(rng);
      data.push_back(std::move(v));
      w.AddTensor(models::LayerName(pattern, l), DType::kF32, shape, data.back().data());
    }
  }
  const std::string path = dir.File(arch + ".gguf");
  Status s = w.Write(path);
  EXPECT_TRUE(s.ok()) << s.message();
  return path;
}

struct RunOptions {
  int threads = 1;
  bool token_by_token = false;
  int64_t max_batch = 512;
  bool fuse = true;
};

std::vector<float> DecoderLogits(const models::Model& m, const std::vector<int32_t>& ids,
                                 const RunOptions& o) {
  runtime::SessionOptions so;
  so.n_threads = o.threads;
  so.n_ctx = kCtx;
  so.kv_type = DType::kF32;
  so.max_batch = o.max_batch;
  so.passes.fuse = o.fuse;
  auto s = runtime::Session::Create(m, so);
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) return {};
  std::vector<float> out;
  const size_t step = o.token_by_token ? 1 : ids.size();
  for (size_t i = 0; i < ids.size(); i += step) {
    auto l = (*s)->Decode(std::span<const int32_t>(ids.data() + i, step), true);
    EXPECT_TRUE(l.ok()) << l.status().message();
    if (!l.ok()) return {};
    out.insert(out.end(), l->begin(), l->end());
  }
  return out;
}

std::vector<float> Embeddings(const models::Model& m, const std::vector<std::vector<int32_t>>& in,
                              const RunOptions& o) {
  runtime::EmbedOptions eo;
  eo.n_threads = o.threads;
  eo.max_batch_tokens = o.max_batch;
  eo.passes.fuse = o.fuse;
  auto e = runtime::Embedder::Create(m, eo);
  EXPECT_TRUE(e.ok()) << e.status().message();
  if (!e.ok()) return {};
  auto r = (*e)->Embed(in);
  EXPECT_TRUE(r.ok()) << r.status().message();
  std::vector<float> flat;
  if (r.ok()) {
    for (const auto& v : *r) flat.insert(flat.end(), v.begin(), v.end());
  }
  return flat;
}

class ArchRegistryTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ArchRegistryTest, TinyModelAgreesWithItself) {
  const std::string arch = GetParam();
  auto it = TinyArchs().find(arch);
  ASSERT_NE(it, TinyArchs().end()) << "registered architecture '" << arch
                                   << "' has no tiny model in arch_registry_test.cc";
  TempDir dir;
  auto loaded = models::LoadModel(WriteTiny(dir, arch, it->second));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const models::Model& m = **loaded;
  EXPECT_EQ(m.info().arch, arch);

  std::mt19937 rng(7);
  auto random_ids = [&](int64_t n) {
    std::vector<int32_t> ids(static_cast<size_t>(n));
    for (auto& id : ids) id = static_cast<int32_t>(3 + rng() % (kVocab - 3));
    return ids;
  };
  std::function<std::vector<float>(const RunOptions&)> run;
  if (m.info().is_encoder) {
    std::vector<std::vector<int32_t>> inputs;
    for (int64_t n : {5, 17, 1, 30, 9, 12}) inputs.push_back(random_ids(n));
    run = [&, inputs](const RunOptions& o) { return Embeddings(m, inputs, o); };
  } else {
    ASSERT_EQ(m.info().n_vocab, kVocab);
    const std::vector<int32_t> ids = random_ids(20);
    run = [&, ids](const RunOptions& o) { return DecoderLogits(m, ids, o); };
  }
  const std::vector<float> base = run({});
  ASSERT_FALSE(base.empty());
  float spread = 0;
  for (float x : base) {
    ASSERT_TRUE(std::isfinite(x));
    spread = std::max(spread, std::fabs(x - base[0]));
  }
  EXPECT_GT(spread, 1e-3f) << "outputs are constant";
  EXPECT_EQ(MaxAbsDiff(base, run({})), 0.0f) << "not deterministic";
  EXPECT_LT(MaxAbsDiff(base, run({.threads = 2})), kTol) << "2 threads";
  EXPECT_LT(MaxAbsDiff(base, run({.threads = 3})), kTol) << "3 threads";
  EXPECT_LT(MaxAbsDiff(base, run({.threads = 2, .max_batch = 7})), kTol) << "split batches";
  EXPECT_LT(MaxAbsDiff(base, run({.threads = 3, .fuse = false})), kTol) << "passes off";
  if (!m.info().is_encoder) {
    EXPECT_LT(MaxAbsDiff(base, run({.threads = 2, .token_by_token = true})), kTol)
        << "token by token";
  } else {
    EXPECT_LT(MaxAbsDiff(base, run({.max_batch = 30})), kTol) << "one input per batch";
  }
}

std::vector<std::string> RegisteredNames() {
  std::vector<std::string> names;
  for (const auto& a : models::Architectures()) names.push_back(a.gguf_name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Registry, ArchRegistryTest, ::testing::ValuesIn(RegisteredNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace miaotui
