// Pruning on a tiny synthetic Llama (synth "tiny": 64 wide, FFN 172, 5 layers, 8 query / 4 KV
// heads): the exact per-row and N:M patterns, Wanda against magnitude, structurally pruned
// models that load and run, and the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <random>

#include "compress/prune.h"
#include "compress/prune_mask.h"
#include "formats/gguf.h"
#include "models/model.h"
#include "models/synth.h"
#include "quant/convert.h"
#include "runtime/session.h"
#include "test_util.h"

namespace miaotui {
namespace {

using compress::PruneOptions;
using testing::TempDir;

bool IsProjection(const std::string& name) {
  for (const char* role : {"attn_q.", "attn_k.", "attn_v.", "attn_output.", "ffn_gate.",
                           "ffn_up.", "ffn_down."}) {
    if (name.rfind("blk.", 0) == 0 && name.find(role) != std::string::npos &&
        name.find(".weight") != std::string::npos) {
      return true;
    }
  }
  return false;
}

// Rows of floats of a tensor.
std::vector<float> Floats(const formats::GgufFile& f, const std::string& name) {
  const formats::GgufTensorInfo* t = f.FindTensor(name);
  EXPECT_NE(t, nullptr) << name;
  if (!t) return {};
  std::vector<float> v(static_cast<size_t>(t->shape.NumElements()));
  const auto* src = static_cast<const uint8_t*>(f.View(*t).data);
  const size_t rb = RowBytes(t->dtype, t->shape.ne[0]);
  for (int64_t r = 0; r < t->shape.NumRows(); ++r) {
    EXPECT_TRUE(quant::DequantizeRow(t->dtype, src + r * rb, v.data() + r * t->shape.ne[0],
                                     t->shape.ne[0]).ok());
  }
  return v;
}

class PruneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    models::SynthOptions o;
    o.shape = "tiny";
    o.dtype = DType::kF16;
    o.seed = 7;
    ASSERT_TRUE(models::WriteSynthModel(o, base_).ok());
  }
  std::unique_ptr<formats::GgufFile> Open(const std::string& path) {
    auto f = formats::GgufFile::Open(path);
    EXPECT_TRUE(f.ok()) << f.status().message();
    return f.ok() ? std::move(*f) : nullptr;
  }
  // Loads the model and decodes a few tokens; every logit must be finite.
  void ExpectRuns(const std::string& path) {
    auto m = models::LoadModel(path);
    ASSERT_TRUE(m.ok()) << m.status().message();
    runtime::SessionOptions so;
    so.n_threads = 2;
    so.n_ctx = 32;
    auto s = runtime::Session::Create(**m, so);
    ASSERT_TRUE(s.ok()) << s.status().message();
    const std::vector<int32_t> tokens = {1, 17, 42, 99, 5};
    auto logits = (*s)->Decode(tokens, /*all_logits=*/true);
    ASSERT_TRUE(logits.ok()) << logits.status().message();
    ASSERT_EQ(logits->size(), tokens.size() * 512);
    for (float x : *logits) ASSERT_TRUE(std::isfinite(x));
  }
  Status PruneWith(const PruneOptions& o) { return compress::Prune(base_, out_, o).status(); }

  TempDir dir_;
  std::string base_ = dir_.File("tiny.gguf"), out_ = dir_.File("pruned.gguf");
};

TEST(PruneMaskTest, ExactCountPerRowAndLowestScoresGo) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<int32_t> scratch;
  for (int64_t n : {1, 2, 7, 64, 172, 333}) {
    for (double s : {0.0, 0.1, 0.3, 0.5, 0.77, 0.99}) {
      std::vector<float> score(static_cast<size_t>(n));
      for (float& x : score) x = u(rng);
      score[0] = score[n - 1];  // a tie
      std::vector<uint8_t> keep(static_cast<size_t>(n));
      compress::SelectRow(score.data(), n, s, {}, keep.data(), scratch);
      int64_t pruned = 0;
      float max_pruned = -1, min_kept = 2;
      for (int64_t j = 0; j < n; ++j) {
        if (!keep[j]) {
          ++pruned;
          max_pruned = std::max(max_pruned, score[j]);
        } else {
          min_kept = std::min(min_kept, score[j]);
        }
      }
      EXPECT_EQ(pruned, static_cast<int64_t>(std::floor(s * n + 1e-9))) << n << " " << s;
      if (pruned > 0 && pruned < n) EXPECT_LE(max_pruned, min_kept);
    }
  }
  EXPECT_EQ(compress::PrunedCount(10, 0.3), 3);  // not 2 from 0.3 * 10 = 2.9999...
}

TEST(PruneMaskTest, NmKeepsExactlyNPerGroupTheLargest) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<int32_t> scratch;
  for (auto [n, m] : {std::pair{2, 4}, {1, 4}, {3, 4}, {4, 8}, {1, 2}}) {
    const int64_t len = 8 * m;
    std::vector<float> score(static_cast<size_t>(len));
    for (float& x : score) x = u(rng);
    std::vector<uint8_t> keep(static_cast<size_t>(len));
    compress::SelectRow(score.data(), len, 0, {n, m}, keep.data(), scratch);
    for (int64_t g = 0; g < len; g += m) {
      int kept = 0;
      for (int i = 0; i < m; ++i) kept += keep[g + i];
      EXPECT_EQ(kept, n) << n << ":" << m << " group " << g;
      for (int i = 0; i < m; ++i) {
        for (int k = 0; k < m; ++k) {
          if (keep[g + i] && !keep[g + k]) EXPECT_GE(score[g + i], score[g + k]);
        }
      }
    }
  }
}

TEST_F(PruneTest, MagnitudeSparsityIsExactInEveryRowAndOnlyProjectionsChange) {
  for (double s : {0.5, 0.3}) {
    PruneOptions o;
    o.sparsity = s;
    o.group = compress::PruneGroup::kRow;
    o.n_threads = 2;
    auto r = compress::Prune(base_, out_, o);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->tensors.size(), 5u * 7);
    auto in = Open(base_), out = Open(out_);
    ASSERT_TRUE(in && out);
    ASSERT_EQ(in->tensors().size(), out->tensors().size());
    for (const auto& t : in->tensors()) {
      const formats::GgufTensorInfo* o2 = out->FindTensor(t.name);
      ASSERT_NE(o2, nullptr) << t.name;
      EXPECT_EQ(o2->dtype, t.dtype) << t.name;  // F16 stays F16
      EXPECT_EQ(o2->shape, t.shape) << t.name;
      const std::vector<float> a = Floats(*in, t.name), b = Floats(*out, t.name);
      if (!IsProjection(t.name)) {
        EXPECT_EQ(a, b) << t.name;
        continue;
      }
      const int64_t n = t.shape.ne[0];
      for (int64_t row = 0; row < t.shape.NumRows(); ++row) {
        int64_t zeros = 0;
        float max_zeroed = 0, min_kept = INFINITY;
        for (int64_t j = 0; j < n; ++j) {
          const float w = a[row * n + j], p = b[row * n + j];
          ASSERT_NE(w, 0.f);  // the synthetic weights have no zeros of their own
          if (p == 0) {
            ++zeros;
            max_zeroed = std::max(max_zeroed, std::fabs(w));
          } else {
            ASSERT_EQ(p, w);
            min_kept = std::min(min_kept, std::fabs(w));
          }
        }
        ASSERT_EQ(zeros, compress::PrunedCount(n, s)) << t.name << " row " << row;
        ASSERT_LE(max_zeroed, min_kept) << t.name << " row " << row;
      }
    }
  }
  ExpectRuns(out_);
}

TEST_F(PruneTest, TwoFourHoldsInEveryGroupOfEveryRow) {
  PruneOptions o;
  o.pattern = {2, 4};
  ASSERT_TRUE(PruneWith(o).ok());
  auto out = Open(out_);
  ASSERT_TRUE(out);
  int checked = 0;
  for (const auto& t : out->tensors()) {
    if (!IsProjection(t.name)) continue;
    const std::vector<float> b = Floats(*out, t.name);
    for (size_t g = 0; g < b.size(); g += 4) {  // rows are multiples of 4, so groups align
      int nonzero = 0;
      for (int i = 0; i < 4; ++i) nonzero += b[g + i] != 0;
      ASSERT_EQ(nonzero, 2) << t.name << " element " << g;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 5 * 7);
  ExpectRuns(out_);
}

// Wanda ranks by |w| * sqrt(mean x^2): with uneven activation norms it zeroes other weights than
// magnitude does, and exactly those of lowest product; with even norms it equals magnitude.
TEST_F(PruneTest, WandaUsesActivationNormsAndDiffersFromMagnitude) {
  auto in = Open(base_);
  ASSERT_TRUE(in);
  compress::ImportanceMatrix uneven, even;
  for (const auto& t : in->tensors()) {
    if (!IsProjection(t.name)) continue;
    std::vector<float>& u = uneven[t.name];
    for (int64_t j = 0; j < t.shape.ne[0]; ++j) u.push_back(std::pow(1.0f + j % 7, 4.0f));
    even[t.name].assign(static_cast<size_t>(t.shape.ne[0]), 3.0f);
  }
  PruneOptions mag;
  mag.sparsity = 0.5;
  mag.group = compress::PruneGroup::kRow;  // as wanda ranks, so that even norms give the same
  ASSERT_TRUE(compress::Prune(base_, dir_.File("mag.gguf"), mag).ok());
  PruneOptions wanda = mag;
  wanda.method = compress::PruneMethod::kWanda;
  wanda.importance = &even;
  ASSERT_TRUE(compress::Prune(base_, dir_.File("even.gguf"), wanda).ok());
  wanda.importance = &uneven;
  ASSERT_TRUE(compress::Prune(base_, dir_.File("wanda.gguf"), wanda).ok());
  auto m = Open(dir_.File("mag.gguf")), e = Open(dir_.File("even.gguf")),
       w = Open(dir_.File("wanda.gguf"));
  ASSERT_TRUE(m && e && w);
  int64_t differ = 0;
  for (const auto& [name, norms] : uneven) {
    EXPECT_EQ(Floats(*m, name), Floats(*e, name)) << name;
    const std::vector<float> a = Floats(*in, name), mb = Floats(*m, name), wb = Floats(*w, name);
    const int64_t n = static_cast<int64_t>(norms.size());
    for (size_t row = 0; row < a.size() / n; ++row) {
      float max_zeroed = 0, min_kept = INFINITY;
      for (int64_t j = 0; j < n; ++j) {
        const size_t i = row * n + j;
        const float score = std::fabs(a[i]) * std::sqrt(norms[j]);
        if (wb[i] == 0) max_zeroed = std::max(max_zeroed, score);
        else min_kept = std::min(min_kept, score);
        differ += (wb[i] == 0) != (mb[i] == 0);
      }
      ASSERT_LE(max_zeroed, min_kept * (1 + 1e-6f)) << name << " row " << row;
    }
  }
  EXPECT_GT(differ, 1000);
}

// Zeros per row and per tensor of every projection of a pruned file.
struct ZeroCounts {
  std::map<std::string, std::vector<int64_t>> per_row;
  std::map<std::string, int64_t> per_tensor;
};

ZeroCounts CountZeros(const formats::GgufFile& f) {
  ZeroCounts z;
  for (const auto& t : f.tensors()) {
    if (!IsProjection(t.name)) continue;
    const std::vector<float> v = Floats(f, t.name);
    std::vector<int64_t>& rows = z.per_row[t.name];
    rows.assign(static_cast<size_t>(t.shape.NumRows()), 0);
    for (size_t i = 0; i < v.size(); ++i) rows[i / t.shape.ne[0]] += v[i] == 0;
    for (int64_t r : rows) z.per_tensor[t.name] += r;
  }
  return z;
}

// The Wanda paper's magnitude baseline ranks a whole matrix ("per layer"), wanda each output
// row: by default magnitude zeroes exactly floor(S * size) of every tensor, the smallest |w| of
// the tensor, so rows end up with different counts.
TEST_F(PruneTest, MagnitudeRanksTheWholeTensorByDefault) {
  PruneOptions o;
  o.sparsity = 0.5;
  o.n_threads = 2;
  EXPECT_EQ(compress::ResolvedGroup(o), compress::PruneGroup::kTensor);
  ASSERT_TRUE(PruneWith(o).ok());
  auto in = Open(base_), out = Open(out_);
  ASSERT_TRUE(in && out);
  const ZeroCounts z = CountZeros(*out);
  ASSERT_EQ(z.per_tensor.size(), 5u * 7);
  int64_t uneven_rows = 0;
  for (const auto& [name, zeros] : z.per_tensor) {
    const std::vector<float> a = Floats(*in, name), b = Floats(*out, name);
    EXPECT_EQ(zeros, compress::PrunedCount(static_cast<int64_t>(a.size()), 0.5)) << name;
    float max_zeroed = 0, min_kept = INFINITY;
    for (size_t i = 0; i < a.size(); ++i) {
      if (b[i] == 0) max_zeroed = std::max(max_zeroed, std::fabs(a[i]));
      else min_kept = std::min(min_kept, std::fabs(a[i]));
    }
    EXPECT_LE(max_zeroed, min_kept) << name;
    const int64_t n = in->FindTensor(name)->shape.ne[0];
    for (int64_t r : z.per_row.at(name)) uneven_rows += r != compress::PrunedCount(n, 0.5);
  }
  EXPECT_GT(uneven_rows, 100);
  PruneOptions w;
  w.method = compress::PruneMethod::kWanda;
  EXPECT_EQ(compress::ResolvedGroup(w), compress::PruneGroup::kRow);
  w.group = compress::PruneGroup::kTensor;
  EXPECT_EQ(compress::ResolvedGroup(w), compress::PruneGroup::kTensor);
  ExpectRuns(out_);
}

TEST_F(PruneTest, PerLayerSparsityIsExactLayerByLayer) {
  PruneOptions o;
  o.layer_sparsity = {0.0, 0.5, 0.25, 0.0, 0.75};
  o.group = compress::PruneGroup::kRow;
  o.n_threads = 2;
  auto r = compress::Prune(base_, out_, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto out = Open(out_);
  ASSERT_TRUE(out);
  const ZeroCounts z = CountZeros(*out);
  for (const auto& [name, rows] : z.per_row) {
    const int64_t layer = name[4] - '0';
    const int64_t n = out->FindTensor(name)->shape.ne[0];
    for (int64_t zeros : rows) {
      ASSERT_EQ(zeros, compress::PrunedCount(n, o.layer_sparsity[layer])) << name;
    }
  }
  int64_t all = 0, size = 0;  // the dense layers count in the total too
  for (const auto& [name, zeros] : z.per_tensor) {
    all += zeros;
    size += out->FindTensor(name)->shape.NumElements();
  }
  EXPECT_EQ(r->n_zero, all);
  EXPECT_EQ(r->n_prunable, size);
  EXPECT_NEAR(static_cast<double>(r->n_zero) / r->n_prunable, 1.5 / 5, 0.01);
  ExpectRuns(out_);
  o.layer_sparsity = {0.5, 0.5};
  Status s = PruneWith(o);
  EXPECT_NE(s.message().find("per-layer sparsity has 2 values; "), std::string::npos)
      << s.message();
  o.layer_sparsity = {0.5, 0.5, 1.0, 0.5, 0.5};
  s = PruneWith(o);
  EXPECT_NE(s.message().find("sparsity 1.000000 of layer 2 is outside [0, 1)"), std::string::npos)
      << s.message();
}

TEST_F(PruneTest, StructuredModelHasSmallerDimsConsistentMetadataAndRuns) {
  PruneOptions o;
  o.ffn_keep = 0.5;
  o.heads_keep = 0.5;
  o.drop_layers = {1, 3};
  auto r = compress::Prune(base_, out_, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->n_ff_to, 86);  // 172 is not a multiple of 32: granule 1
  EXPECT_EQ(r->n_head_to, 4);
  EXPECT_EQ(r->n_head_kv_to, 2);
  EXPECT_EQ(r->n_layer_to, 3);
  auto in = Open(base_), out = Open(out_);
  ASSERT_TRUE(in && out);
  EXPECT_EQ(*out->GetInt("llama.feed_forward_length"), 86);
  EXPECT_EQ(*out->GetInt("llama.block_count"), 3);
  EXPECT_EQ(*out->GetInt("llama.attention.head_count"), 4);
  EXPECT_EQ(*out->GetInt("llama.attention.head_count_kv"), 2);
  EXPECT_EQ(*out->GetInt("llama.attention.key_length"), 8);  // 64 / 8 heads, unchanged
  EXPECT_EQ(out->FindTensor("blk.3.ffn_up.weight"), nullptr);
  EXPECT_EQ(out->FindTensor("blk.2.ffn_down.weight")->shape, Shape::Of(86, 64));
  EXPECT_EQ(out->FindTensor("blk.2.attn_q.weight")->shape, Shape::Of(64, 32));
  EXPECT_EQ(out->FindTensor("blk.2.attn_k.weight")->shape, Shape::Of(64, 16));
  EXPECT_EQ(out->FindTensor("blk.2.attn_output.weight")->shape, Shape::Of(32, 64));
  // Output layer 1 is input layer 2. Its gate rows are input rows; the up rows and down columns
  // are the same channels.
  const std::vector<float> gi = Floats(*in, "blk.2.ffn_gate.weight"),
                           ui = Floats(*in, "blk.2.ffn_up.weight"),
                           di = Floats(*in, "blk.2.ffn_down.weight"),
                           go = Floats(*out, "blk.1.ffn_gate.weight"),
                           uo = Floats(*out, "blk.1.ffn_up.weight"),
                           dout = Floats(*out, "blk.1.ffn_down.weight");
  int64_t prev = -1;
  for (int64_t c = 0; c < 86; ++c) {
    int64_t src = -1;
    for (int64_t k = 0; k < 172 && src < 0; ++k) {
      if (std::equal(go.begin() + c * 64, go.begin() + (c + 1) * 64, gi.begin() + k * 64)) src = k;
    }
    ASSERT_GT(src, prev) << "channel " << c;  // a subset, in order
    prev = src;
    ASSERT_TRUE(std::equal(uo.begin() + c * 64, uo.begin() + (c + 1) * 64, ui.begin() + src * 64));
    for (int64_t row = 0; row < 64; ++row) ASSERT_EQ(dout[row * 86 + c], di[row * 172 + src]);
  }
  ExpectRuns(out_);
}

// Qwen2-style q/k/v biases follow their rows: each bias element holds its row's index, so after
// head pruning bias[j] must name the input row that output row j came from.
TEST_F(PruneTest, HeadPruningCarriesBiasesWithTheirRows) {
  auto in = Open(base_);
  ASSERT_TRUE(in);
  formats::GgufWriter w;
  for (const formats::GgufKv& kv : in->metadata()) w.SetValue(kv.key, kv.value);
  std::vector<std::vector<float>> biases;
  biases.reserve(5 * 3);
  for (const auto& t : in->tensors()) w.AddTensor(t.name, t.dtype, t.shape, in->View(t).data);
  for (int l = 0; l < 5; ++l) {
    for (auto [role, n] : {std::pair{"attn_q", 64}, {"attn_k", 32}, {"attn_v", 32}}) {
      std::vector<float>& b = biases.emplace_back();
      for (int i = 0; i < n; ++i) b.push_back(static_cast<float>(i));
      w.AddTensor("blk." + std::to_string(l) + "." + role + ".bias", DType::kF32, Shape::Of(n),
                  b.data());
    }
  }
  const std::string biased = dir_.File("biased.gguf");
  ASSERT_TRUE(w.Write(biased).ok());
  PruneOptions o;
  o.heads_keep = 0.5;
  ASSERT_TRUE(compress::Prune(biased, out_, o).ok());
  auto out = Open(out_);
  ASSERT_TRUE(out);
  for (const char* role : {"attn_q", "attn_k", "attn_v"}) {
    const std::string wn = std::string("blk.4.") + role + ".weight";
    const std::vector<float> bias = Floats(*out, std::string("blk.4.") + role + ".bias"),
                             wi = Floats(*in, wn), wo = Floats(*out, wn);
    ASSERT_EQ(bias.size() * 64, wo.size()) << role;
    for (size_t j = 0; j < bias.size(); ++j) {
      const size_t src = static_cast<size_t>(bias[j]);
      ASSERT_TRUE(std::equal(wo.begin() + j * 64, wo.begin() + (j + 1) * 64,
                             wi.begin() + src * 64)) << role << " row " << j;
    }
  }
  ExpectRuns(out_);
}

TEST_F(PruneTest, StructuredThenTwoFourThenQuantizeRuns) {
  PruneOptions o;
  o.ffn_keep = 128.0 / 172;  // ffn_down rows must stay a multiple of M = 4
  o.pattern = {2, 4};
  o.type = "Q8_0";
  auto r = compress::Prune(base_, out_, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->n_ff_to, 128);
  ExpectRuns(out_);
}

TEST_F(PruneTest, BadArgumentsAreRefusedWithTheReason) {
  auto refused = [&](const PruneOptions& o, const std::string& reason) {
    Status s = PruneWith(o);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << reason;
    EXPECT_NE(s.message().find(reason), std::string::npos) << s.message();
  };
  PruneOptions o;
  for (double s : {-0.1, 1.0, 1.5}) {
    o.sparsity = s;
    refused(o, "outside [0, 1)");
  }
  o = {};
  o.pattern = {4, 4};
  refused(o, "N must be in [1, M)");
  o.pattern = {4, 8};  // ffn_down rows have 172 weights
  refused(o, "M does not divide the rows of tensor 'blk.0.ffn_down.weight' (172 weights)");
  o = {};
  o.ffn_keep = 0;
  refused(o, "--ffn-keep 0.000000 is outside (0, 1]");
  o.ffn_keep = 1.25;
  refused(o, "--ffn-keep");
  o = {};
  o.heads_keep = -1;
  refused(o, "--heads-keep");
  o = {};
  refused(o, "nothing to prune");
  o.method = compress::PruneMethod::kWanda;
  o.sparsity = 0.5;
  refused(o, "needs calibration statistics");
  o = {};
  o.drop_layers = {0, 1, 2, 3, 4};
  refused(o, "every layer");
  o.drop_layers = {5};
  refused(o, "layer 5 is out of range");
  EXPECT_FALSE(compress::ParseNmPattern("2-4").ok());
  EXPECT_NE(compress::ParseNmPattern("5:4").status().message().find("N must be"),
            std::string::npos);
  EXPECT_TRUE(compress::ParseNmPattern("2:4").ok());
  EXPECT_FALSE(compress::ParsePruneMethod("sparsegpt").ok());
  EXPECT_FALSE(compress::ParsePruneGroup("column").ok());
  o = {};
  o.pattern = {2, 4};
  o.group = compress::PruneGroup::kTensor;
  refused(o, "--group tensor does not apply to --pattern");

  compress::CalibrationOptions co;
  co.n_ctx = 64;
  co.n_threads = 2;
  auto short_text = compress::CalibrateForPruning(base_, "To be", co);
  ASSERT_FALSE(short_text.ok());
  EXPECT_NE(short_text.status().message().find("too few to estimate"), std::string::npos)
      << short_text.status().message();
}

}  // namespace
}  // namespace miaotui
