// Helpers shared by the libFuzzer targets in fuzz/: a per-process scratch folder (in /dev/shm
// when writable, so writing an input costs no disk I/O) for the readers that take a path, and the
// location of ../shared (vocabularies, chat templates) read once at start-up.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
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

// Writes `bytes` to ScratchDir()/name (replacing its contents) and returns the path. Plain
// open/pwrite/ftruncate rather than fopen("wb"): no stdio buffer, and the file's pages are reused
// instead of freed and allocated again by O_TRUNC (about 9 us instead of 35 us for 18 KB on
// /dev/shm under ASan).
inline std::string WriteScratch(const std::string& name, std::string_view bytes) {
  std::string path = ScratchDir() + "/" + name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {  // removed by a concurrent exit(): recreate it
    ::mkdir(ScratchDir().c_str(), 0700);
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return path;
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const int truncated = ::ftruncate(fd, static_cast<off_t>(done));  // drops an older, longer tail
  (void)truncated;
  ::close(fd);
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
