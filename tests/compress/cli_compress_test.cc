// End-to-end tests of `miaotui quantize` and `miaotui perplexity`: output files, the final
// line, and the one-line error contract.
#include <gtest/gtest.h>

#include <filesystem>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "compress_test_util.h"
#include "test_util.h"

namespace miaotui {
namespace {

using testing::ReadAll;
using testing::SharedPath;
using testing::TempDir;

struct CmdResult {
  int status = -1;
  std::string out, err;
};

CmdResult Cli(const std::string& args) {
  TempDir dir;
  std::string cmd = testing::CliPath() + " " + args + " >" + dir.File("out") + " 2>" +
                    dir.File("err");
  const int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, ReadAll(dir.File("out")),
          ReadAll(dir.File("err"))};
}

void ExpectOneLineError(const CmdResult& r, const std::string& must_mention) {
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.err.find("miaotui: error: "), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(must_mention), std::string::npos) << r.err;
}

TEST(CompressCliTest, QuantizeWritesTheGoldenFileAndReportsSizes) {
  MT_REQUIRE_SHARED("models/quant-test-Q8_0.gguf");
  TempDir dir;
  const std::string in = SharedPath("models/quant-test-f32.gguf");
  CmdResult r = Cli("quantize " + in + " " + dir.File("q8.gguf") + " --type q8_0 --pure -t 2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(ReadAll(dir.File("q8.gguf")) == ReadAll(SharedPath("models/quant-test-Q8_0.gguf")));
  EXPECT_NE(r.out.find("5.52 MiB -> 1.48 MiB"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;  // no progress bar in a pipe
  ExpectOneLineError(Cli("quantize " + in + " " + dir.File("x.gguf") + " --type Q3_K_XL"),
                     "valid: Q4_0");
  ExpectOneLineError(Cli("quantize " + in + " " + in + " --type Q4_0"), "refusing to overwrite");
  EXPECT_EQ(Cli("quantize --help").status, 0);
}

TEST(CompressCliTest, QuantizeReadsAHuggingFaceFolder) {
  MT_REQUIRE_SHARED("models/stories260K-hf/config.json");
  testing::TempDir dir;
  const std::string out = dir.File("hf-q8.gguf");
  CmdResult r = Cli("quantize " + SharedPath("models/stories260K-hf") + " " + out + " --type Q8_0");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out + ".f32-staging.gguf"));
  // Same weights as the golden GGUF, so greedy text matches the golden's first tokens.
  CmdResult run = Cli("run -m " + out + " -p 'Once upon a time' -n 8 --temp 0 --json");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("there was a little girl"), std::string::npos) << run.out;
}

TEST(CompressCliTest, PerplexityFinalLineMatchesGolden) {
  MT_REQUIRE_SHARED("golden/tinyshakespeare-first40KiB.txt");
  CmdResult r = Cli("perplexity -m " + SharedPath("models/stories260K.gguf") + " -f " +
                    SharedPath("golden/tinyshakespeare-first40KiB.txt") +
                    " -c 128 --chunks 20 -t 2");
  ASSERT_EQ(r.status, 0) << r.err;
  // The golden running value after 20 chunks is 66.6246 (manifest.json).
  const size_t at = r.out.find("Final estimate: PPL = ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const double ppl = std::atof(r.out.c_str() + at + 22);
  EXPECT_NEAR(ppl, 66.6246, 0.07) << r.out;
  EXPECT_NE(r.out.find("+/- "), std::string::npos);
  ExpectOneLineError(Cli("perplexity -m " + SharedPath("models/stories260K.gguf") +
                         " -f /nonexistent.txt"), "/nonexistent.txt");
  ExpectOneLineError(Cli("perplexity -m " + SharedPath("models/stories260K.gguf") + " -f " +
                         SharedPath("golden/tinyshakespeare-first40KiB.txt") + " -c 100000"),
                     "needs at least");
}

TEST(CompressCliTest, PerplexityKlBaseAgainstItself) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  const std::string m = SharedPath("models/stories260K.gguf");
  CmdResult r = Cli("perplexity -m " + m + " --kl-base " + m + " -f " +
                    SharedPath("golden/tinyshakespeare-first40KiB.txt") +
                    " -c 128 --chunks 4 -t 2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("mean KL divergence (base || model) = 0.000000"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("top-1 agreement = 100.000"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace miaotui
