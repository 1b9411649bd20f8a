// `miaotui run --device`: cpu runs as always; cuda without a usable device is one error line
// naming the reason and the way out; auto falls back to the CPU with a one-line note; a bad value
// is refused by name. Runs everywhere (the expectations follow CudaDeviceStatus()).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>

#include "cuda/cuda_backend.h"
#include "test_util.h"

namespace miaotui {
namespace {

struct CmdResult {
  int status = -1;
  std::string out, err;
};

CmdResult RunWithDevice(const std::string& device) {
  testing::TempDir dir;
  const std::string cmd = testing::CliPath() + " run -m " +
                          testing::SharedPath("models/stories260K.gguf") +
                          " -p 'Once upon' -n 2 --temp 0 --device " + device + " >" +
                          dir.File("out") + " 2>" + dir.File("err");
  const int rc = std::system(cmd.c_str());
  auto read = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  return CmdResult{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read(dir.File("out")),
                   read(dir.File("err"))};
}

TEST(CudaCliTest, DeviceFlag) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  const CmdResult cpu = RunWithDevice("cpu");
  EXPECT_EQ(cpu.status, 0) << cpu.err;
  EXPECT_FALSE(cpu.out.empty());

  const CmdResult bad = RunWithDevice("gpu");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("--device must be cpu, cuda or auto, got 'gpu'"), std::string::npos)
      << bad.err;

  // Sessions do not run on CUDA yet, so `cuda` is an error with or without a device; without
  // one it names why.
  const Status device = cuda::CudaDeviceStatus();
  const CmdResult cuda = RunWithDevice("cuda");
  EXPECT_EQ(cuda.status, 1);
  EXPECT_EQ(std::count(cuda.err.begin(), cuda.err.end(), '\n'), 1) << cuda.err;
  EXPECT_NE(cuda.err.find("use --device cpu"), std::string::npos) << cuda.err;
  if (!device.ok()) {
    EXPECT_NE(cuda.err.find("miaotui: error: " + device.message()), std::string::npos)
        << cuda.err;
  }

  const CmdResult autod = RunWithDevice("auto");
  EXPECT_EQ(autod.status, 0) << autod.err;
  EXPECT_EQ(autod.out, cpu.out);  // greedy: the same text as on the CPU
  EXPECT_NE(autod.err.find("miaotui: note: --device auto: "), std::string::npos) << autod.err;
  EXPECT_NE(autod.err.find("running on the CPU"), std::string::npos) << autod.err;
}

}  // namespace
}  // namespace miaotui
