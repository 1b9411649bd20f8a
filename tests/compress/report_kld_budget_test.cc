// quantize --max-kld (compress/kld_budget.h) on stories260K: the file written meets the budget
// as measured again independently, is smaller than uniform Q8_0, every searched tensor has a
// ladder type (or its fallback), temporary files are gone; refusals name the reason.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "compress/kld_budget.h"
#include "compress/quantize.h"
#include "compress_test_util.h"
#include "models/model.h"
#include "test_util.h"

namespace miaotui {
namespace {

using testing::ReadAll;
using testing::SharedPath;
using testing::TempDir;

compress::KldBudgetOptions SmallSearch(double max_kld) {
  compress::KldBudgetOptions o;
  o.max_kld = max_kld;
  o.max_evals = 6;
  o.eval.n_ctx = 64;
  o.eval.n_chunks = 3;
  o.eval.n_threads = 2;
  return o;
}

TEST(KldBudgetTest, MeetsTheBudgetAsMeasuredAgainAndBeatsUniformQ8) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  TempDir dir;
  const std::string in = SharedPath("models/stories260K.gguf"), out = dir.File("kld.gguf");
  const std::string text = ReadAll(SharedPath("golden/tinyshakespeare-first40KiB.txt"));
  const double budget = 0.05;
  auto r = compress::QuantizeWithinKld(in, out, text, SmallSearch(budget));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_LE(r->trials.size(), 6u);
  EXPECT_LE(r->measured.mean_kl, budget);
  EXPECT_GT(r->measured.mean_kl, 0);
  // Nothing but OUT is left beside it.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
  // Measured again from the file on disk: the same KL.
  auto base = models::LoadModel(in);
  auto model = models::LoadModel(out);
  ASSERT_TRUE(base.ok() && model.ok());
  auto again = compress::Perplexity(**model, base->get(), text, SmallSearch(budget).eval);
  ASSERT_TRUE(again.ok());
  EXPECT_DOUBLE_EQ(again->mean_kl, r->measured.mean_kl);
  // Smaller than Q8_0 everywhere (the top of the ladder, the search's first step).
  EXPECT_LT(std::filesystem::file_size(out), r->trials.front().file_bytes);
  for (const auto& [name, type] : r->types) {
    EXPECT_TRUE(type == DType::kQ8_0 || type == DType::kQ5_0 || type == DType::kQ4_0) << name;
  }
}

TEST(KldBudgetTest, RefusesBadBudgetsAndInputs) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  TempDir dir;
  const std::string in = SharedPath("models/stories260K.gguf");
  const std::string text = ReadAll(SharedPath("golden/tinyshakespeare-first40KiB.txt"));
  for (double bad : {0.0, -1.0, std::nan("")}) {
    auto r = compress::QuantizeWithinKld(in, dir.File("x.gguf"), text, SmallSearch(bad));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("--max-kld must be a positive"), std::string::npos);
  }
  auto missing = compress::QuantizeWithinKld(dir.File("none.gguf"), dir.File("x.gguf"), text,
                                             SmallSearch(0.1));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("none.gguf"), std::string::npos);
  // A budget even Q8_0 misses: the error names the KL measured, and no file is written.
  auto tight = compress::QuantizeWithinKld(in, dir.File("x.gguf"), text, SmallSearch(1e-9));
  ASSERT_FALSE(tight.ok());
  EXPECT_NE(tight.status().message().find("with every tensor Q8_0 is above --max-kld 1e-09"),
            std::string::npos)
      << tight.status().message();
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(KldBudgetTest, CommandLineRefusals) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  TempDir dir;
  const std::string in = SharedPath("models/stories260K.gguf");
  auto run = [&](const std::string& args) {
    const std::string cmd = testing::CliPath() + " quantize " + args + " >/dev/null 2>" +
                            dir.File("err");
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  const std::string calib = " --calib " + SharedPath("golden/tinyshakespeare-first40KiB.txt");
  EXPECT_EQ(run(in + " " + dir.File("o.gguf") + " --max-kld 0" + calib), 1);
  EXPECT_NE(ReadAll(dir.File("err")).find("expected a positive KL"), std::string::npos);
  EXPECT_EQ(run(in + " " + dir.File("o.gguf") + " --max-kld 0.1"), 1);
  EXPECT_NE(ReadAll(dir.File("err")).find("--max-kld needs --calib"), std::string::npos);
  EXPECT_EQ(run(in + " " + dir.File("o.gguf") + " --max-kld 0.1 --calib /nonexistent.txt"), 1);
  EXPECT_NE(ReadAll(dir.File("err")).find("/nonexistent.txt"), std::string::npos);
  EXPECT_EQ(run(in + " " + dir.File("o.gguf") + " --max-kld 0.1 --type Q4_0" + calib), 1);
  EXPECT_NE(ReadAll(dir.File("err")).find("drop --type"), std::string::npos);
}

}  // namespace
}  // namespace miaotui
