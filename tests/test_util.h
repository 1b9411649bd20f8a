// Helpers shared by the tests: where ../shared is, reading raw golden arrays, temp dirs.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace miaotui::testing {

inline std::string SharedPath(const std::string& rel) {
  const char* env = std::getenv("MIAOTUI_SHARED_DIR");
  std::string base = env ? env : MIAOTUI_SHARED_DIR;
  return base + "/" + rel;
}

inline bool SharedExists(const std::string& rel) {
  return std::filesystem::exists(SharedPath(rel));
}

inline std::string CliPath() { return MIAOTUI_CLI_PATH; }

template <typename T>
std::vector<T> ReadRawArray(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<T> v;
  if (!in) return v;
  in.seekg(0, std::ios::end);
  size_t n = static_cast<size_t>(in.tellg());
  in.seekg(0);
  v.resize(n / sizeof(T));
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
  return v;
}

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "miaotui_test_XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    char* p = mkdtemp(buf.data());
    path_ = p ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace miaotui::testing

#define MT_REQUIRE_SHARED(rel)                                                   \
  do {                                                                          \
    if (!::miaotui::testing::SharedExists(rel))                                 \
      GTEST_SKIP() << "needs " << ::miaotui::testing::SharedPath(rel) << " (../shared)"; \
  } while (0)
