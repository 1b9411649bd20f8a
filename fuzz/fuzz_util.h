// Helpers shared by the libFuzzer targets in fuzz/: a per-process scratch folder (in /dev/shm
// when writable, so writing an input costs no disk I/O) for the readers that take a path, and the
// location of ../shared (vocabularies, chat templates) read once at start-up.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace miaotui::fuzz {

// The scratch folder, created on first use and removed at normal exit. Never destroyed (libFuzzer
// may still run an input while exit() runs the static destructors).
inline const std::string& ScratchDir() {
  static const std::string* const dir = [] {
    const char* base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : nullptr;
    if (base == nullptr) base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
    auto* d = new std::string(std::string(base) + "/miaotui-fuzz-" + std::to_string(::getpid()));
    ::mkdir(d->c_str(), 0700);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(ScratchDir(), ec);
    });
    return d;
  }();
  return *dir;
}

// Writes `bytes` to ScratchDir()/name (replacing it) and returns the path.
inline std::string WriteScratch(const std::string& name, std::string_view bytes) {
  std::string path = ScratchDir() + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {  // removed by a concurrent exit(): recreate it
    ::mkdir(ScratchDir().c_str(), 0700);
    f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return path;
  }
  if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  return path;
}

// ../shared: $MIAOTUI_SHARED_DIR, else the path CMake compiled in.
inline std::string SharedDir() {
  const char* env = std::getenv("MIAOTUI_SHARED_DIR");
  return env ? env : MIAOTUI_SHARED_DIR;
}

// Splits `data` at the first `sep`: {before, after}; no separator: {data, ""}.
inline std::pair<std::string_view, std::string_view> SplitAt(std::string_view data,
                                                            std::string_view sep) {
  size_t pos = data.find(sep);
  if (pos == std::string_view::npos) return {data, {}};
  return {data.substr(0, pos), data.substr(pos + sep.size())};
}

}  // namespace miaotui::fuzz
