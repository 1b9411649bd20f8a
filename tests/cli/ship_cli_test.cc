// The shipped model through the binary: run and chat without -m, MIAOTUI_MODEL, the chat
// template's USER:/BARD: turns; convert and pull argument errors.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "cli_run.h"

namespace miaotui::testing {
namespace {

TEST(ShipCliTest, RunWithoutModelUsesTheShippedOne) {
  ::unsetenv("MIAOTUI_MODEL");
  CliRun r = RunMiaotui("run -p 'ROMEO:' -n 16 --temp 0");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(r.out.empty());
  // Greedy is deterministic.
  EXPECT_EQ(RunMiaotui("run -p 'ROMEO:' -n 16 --temp 0").out, r.out);
}

TEST(ShipCliTest, MiaotuiModelOverridesTheDefault) {
  ::setenv("MIAOTUI_MODEL", "/nonexistent/model.gguf", 1);
  CliRun r = RunMiaotui("run -p x -n 1");
  ::unsetenv("MIAOTUI_MODEL");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("/nonexistent/model.gguf"), std::string::npos) << r.err;
}

TEST(ShipCliTest, ShippedModelRendersItsChatTemplate) {
  TempDir dir;
  WriteWholeFile(dir.File("m.json"), R"([{"role": "user", "content": "Hi"},
                                         {"role": "assistant", "content": "Hail."}])");
  CliRun r = RunMiaotui("template -m " + std::string(MIAOTUI_SOURCE_DIR) +
                        "/models/shakespeare-11.5M.gguf --messages " + dir.File("m.json"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "<s>USER:\nHi\n\nBARD:\nHail.\n\nUSER:");
}

TEST(ShipCliTest, ConvertAndPullErrors) {
  TempDir dir;
  CliRun c = RunMiaotui("convert " + dir.File("missing") + " " + dir.File("o.gguf"));
  EXPECT_EQ(c.status, 1);
  EXPECT_NE(c.err.find("not a folder"), std::string::npos) << c.err;
  CliRun p = RunMiaotui("pull justaname --cache-dir " + dir.path());
  EXPECT_EQ(p.status, 1);
  EXPECT_NE(p.err.find("ORG/REPO"), std::string::npos) << p.err;
}

}  // namespace
}  // namespace miaotui::testing
