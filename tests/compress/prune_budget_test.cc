// The --max-ppl-increase search on a tiny synthetic Llama: the chosen model is within the budget
// by its own measurement, the search is bounded, a loose budget takes the most pruning at once,
// and the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "compress/perplexity.h"
#include "compress/prune_budget.h"
#include "compress/prune_mask.h"
#include "formats/gguf.h"
#include "models/model.h"
#include "models/synth.h"
#include "quant/convert.h"
#include "test_util.h"

namespace miaotui {
namespace {

using testing::TempDir;

std::string EvalText() {
  std::string t;
  for (int i = 0; i < 40; ++i) {
    t += "First Citizen: we are accounted poor citizens, the patricians good. " +
         std::to_string(i * 7919 % 1000) + "\n";
  }
  return t;
}

class PruneBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    models::SynthOptions o;
    o.shape = "tiny";
    o.seed = 11;
    ASSERT_TRUE(models::WriteSynthModel(o, base_).ok());
    b_.eval_text = EvalText();
    b_.eval_ctx = 32;
    b_.eval_chunks = 4;
    b_.max_evals = 4;
    po_.n_threads = 2;
  }
  // The written model's PPL measured again, as the search measures (NaN if it cannot be).
  double MeasureOut() {
    auto m = models::LoadModel(out_);
    EXPECT_TRUE(m.ok()) << m.status().message();
    if (!m.ok()) return NAN;
    compress::PerplexityOptions p;
    p.n_ctx = b_.eval_ctx;
    p.n_chunks = b_.eval_chunks;
    p.n_threads = 2;
    auto again = compress::Perplexity(**m, nullptr, b_.eval_text, p);
    EXPECT_TRUE(again.ok());
    return again.ok() ? again->ppl : NAN;
  }
  TempDir dir_;
  std::string base_ = dir_.File("tiny.gguf"), out_ = dir_.File("out.gguf");
  compress::BudgetOptions b_;
  compress::PruneOptions po_;
};

TEST_F(PruneBudgetTest, ChosenModelIsWithinTheBudgetAsMeasuredAgain) {
  b_.max_ppl_increase = 0.5;  // a random model's PPL is large; 0.5 is tight
  auto r = compress::PruneToBudget(base_, out_, po_, b_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_LE(r->steps.size(), 4u);
  EXPECT_GT(r->base_ppl, 1.0);
  for (const auto& s : r->steps) EXPECT_EQ(s.within, s.ppl - r->base_ppl <= 0.5);
  if (!r->within) GTEST_SKIP() << "no candidate within +0.5 on this model";
  const double again = MeasureOut();
  EXPECT_NEAR(again, r->chosen.ppl, 1e-6 * r->chosen.ppl);
  EXPECT_LE(again - r->base_ppl, 0.5);
  EXPECT_NEAR(static_cast<double>(r->report.n_zero) / r->report.n_prunable, r->chosen.knob, 0.02);
}

TEST_F(PruneBudgetTest, LooseBudgetTakesTheMostPruningInOneEvaluation) {
  b_.max_ppl_increase = 1e9;
  b_.knob = compress::BudgetKnob::kFfnKeep;
  auto r = compress::PruneToBudget(base_, out_, po_, b_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->steps.size(), 1u);
  EXPECT_TRUE(r->within);
  EXPECT_NEAR(r->chosen.knob, 17.0 / 172, 1e-12);  // the width reached
  EXPECT_EQ(r->report.n_ff_to, 17);  // floor(0.1 * 172)
}

// The per-layer search: the global bisection, one probe per layer, then per-layer candidates;
// bounded; the chosen model has the sparsity per layer it reports, is within the budget by its
// own measurement, and has at least as many zeros as the best uniform candidate within. On
// stories260K (trained, 5 layers, 64 wide): a random synth model gets better when pruned.
TEST_F(PruneBudgetTest, PerLayerSearchIsBoundedAndNoWorseThanUniform) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  const std::string base = testing::SharedPath("models/stories260K.gguf");
  b_.knob = compress::BudgetKnob::kLayers;
  b_.max_evals = 3;
  po_.group = compress::PruneGroup::kRow;  // exact per-row counts to check below
  double best_uniform = 0;
  std::string why;
  for (double budget : {100.0, 400.0, 2000.0}) {  // one gives a sparsity within and one over
    b_.max_ppl_increase = budget;
    auto r = compress::PruneToBudget(base, out_, po_, b_);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_LE(r->steps.size(), 2u * 3 + 5);
    int probes = 0, per_layer = 0;
    best_uniform = 0;
    for (const auto& s : r->steps) {
      EXPECT_EQ(s.within, s.ppl - r->base_ppl <= budget);
      probes += s.phase == compress::BudgetPhase::kProbe;
      per_layer += s.phase == compress::BudgetPhase::kPerLayer;
      if (s.phase == compress::BudgetPhase::kGlobal && s.within) {
        best_uniform = std::max(best_uniform, s.zeros);
      }
    }
    if (!r->within || probes == 0) continue;  // nothing within, or everything: no probes
    EXPECT_EQ(probes, 5);
    EXPECT_GE(per_layer, 1);
    EXPECT_TRUE(r->chosen.within);
    EXPECT_GE(r->chosen.zeros, best_uniform);
    EXPECT_NEAR(static_cast<double>(r->report.n_zero) / r->report.n_prunable, r->chosen.zeros,
                1e-12);
    EXPECT_NEAR(MeasureOut(), r->chosen.ppl, 1e-6 * r->chosen.ppl);
    if (r->chosen.phase == compress::BudgetPhase::kPerLayer) {
      auto f = formats::GgufFile::Open(out_);
      ASSERT_TRUE(f.ok());
      ASSERT_EQ(r->chosen.layers.size(), 5u);
      for (int64_t l = 0; l < 5; ++l) {
        const auto* t = (*f)->FindTensor("blk." + std::to_string(l) + ".ffn_up.weight");
        ASSERT_NE(t, nullptr);
        std::vector<float> row(static_cast<size_t>(t->shape.ne[0]));
        ASSERT_TRUE(quant::DequantizeRow(t->dtype, (*f)->View(*t).data, row.data(),
                                         t->shape.ne[0]).ok());
        int64_t zeros = 0;
        for (float x : row) zeros += x == 0;
        EXPECT_EQ(zeros, compress::PrunedCount(t->shape.ne[0], r->chosen.layers[l])) << l;
      }
    }
    return;
  }
  GTEST_SKIP() << "no budget gave a sparsity within and one over on this model";
}

TEST_F(PruneBudgetTest, RefusesANonPositiveBudgetAndATooShortEvalText) {
  b_.max_ppl_increase = 0;
  auto r = compress::PruneToBudget(base_, out_, po_, b_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("must be > 0"), std::string::npos);
  b_.max_ppl_increase = 1;
  b_.eval_text = "too short";
  r = compress::PruneToBudget(base_, out_, po_, b_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("the eval text has"), std::string::npos);
}

}  // namespace
}  // namespace miaotui
