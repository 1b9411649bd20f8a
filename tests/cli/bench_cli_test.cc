// `miaotui bench` end to end on a tiny synthetic model: the Markdown table and the --json array,
// and --roofline's limits and fractions (positive, consistent with tokens/s × work ÷ limit).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "test_util.h"

namespace miaotui {
namespace {

using testing::RunMiaotui;
using testing::TempDir;

TEST(BenchCliTest, RooflineReportsLimitsAndFractions) {
  TempDir dir;
  const std::string f16 = dir.File("tiny-f16.gguf"), model = dir.File("tiny-q8.gguf");
  ASSERT_EQ(RunMiaotui("synth --shape tiny --type f16 -o " + f16).status, 0);
  ASSERT_EQ(RunMiaotui("quantize --type Q8_0 -t 1 " + f16 + " " + model).status, 0);
  testing::CliRun r = RunMiaotui("bench -m " + model + " -p 16 -n 4 -t 1 -r 1 --roofline --json");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  for (const auto& e : j) {
    const std::string test = e["test"];
    const std::string limit = e["limit"]["name"];
    EXPECT_EQ(limit, test == "pp16" ? "int8_dot" : "dram_read") << test;
    const double value = e["limit"]["value"], work = e["work_per_token"];
    const double tps = e["tokens_per_second"], fraction = e["fraction"];
    EXPECT_GT(value, 0.0) << test;
    EXPECT_GT(work, 0.0) << test;
    EXPECT_NEAR(fraction, tps * work / (value * 1e9), 1e-9 * fraction) << test;
  }
  // Markdown: the two extra columns.
  testing::CliRun md = RunMiaotui("bench -m " + model + " -p 0 -n 2 -t 1 -r 1 --roofline");
  ASSERT_EQ(md.status, 0) << md.err;
  EXPECT_NE(md.out.find("| limit | of limit |"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("dram_read"), std::string::npos) << md.out;
  // Without --roofline nothing changes.
  testing::CliRun plain = RunMiaotui("bench -m " + model + " -p 0 -n 2 -t 1 -r 1 --json");
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_FALSE(nlohmann::json::parse(plain.out)[0].contains("fraction"));
}

}  // namespace
}  // namespace miaotui
