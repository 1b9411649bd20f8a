// A file truncated while it is memory-mapped: reading past its new end raises SIGBUS, which the
// guard turns into a one-line error naming the file and exit status 1 (docs/ERRORS.md).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/mmap_file.h"

namespace miaotui {
namespace {

std::string WriteFile(size_t n) {
  std::string path = ::testing::TempDir() + "/mmap_guard_" + std::to_string(::getpid()) + ".bin";
  std::vector<char> bytes(n, 'x');
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  return path;
}

TEST(MmapGuardDeathTest, TruncatedWhileMappedExitsWithMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const std::string path = WriteFile(4 * page);
  EXPECT_EXIT(
      {
        auto map = MappedFile::Open(path);
        if (!map.ok()) std::_Exit(3);
        if (::truncate(path.c_str(), 0) != 0) std::_Exit(4);
        volatile uint8_t b = map->data()[3 * page];  // past the new end: SIGBUS
        (void)b;
        std::_Exit(5);
      },
      ::testing::ExitedWithCode(1), "mmap_guard_.*truncated or changed on disk while in use");
  std::remove(path.c_str());
}

TEST(MmapGuardTest, UnchangedFileReadsNormally) {
  const std::string path = WriteFile(100);
  auto map = MappedFile::Open(path);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->data()[99], 'x');
  std::remove(path.c_str());
}

}  // namespace
}  // namespace miaotui
