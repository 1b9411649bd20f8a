// The --max-ppl-increase search on a tiny synthetic Llama: the chosen model is within the budget
// by its own measurement, the search is bounded, a loose budget takes the most pruning at once,
// and the refusals.
#include <gtest/gtest.h>

#include <string>

#include "compress/perplexity.h"
#include "compress/prune_budget.h"
#include "models/model.h"
#include "models/synth.h"
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
  auto m = models::LoadModel(out_);
  ASSERT_TRUE(m.ok()) << m.status().message();
  compress::PerplexityOptions p;
  p.n_ctx = 32;
  p.n_chunks = 4;
  p.n_threads = 2;
  auto again = compress::Perplexity(**m, nullptr, b_.eval_text, p);
  ASSERT_TRUE(again.ok());
  EXPECT_NEAR(again->ppl, r->chosen.ppl, 1e-6 * r->chosen.ppl);
  EXPECT_LE(again->ppl - r->base_ppl, 0.5);
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
