#include "base/mmap_guard.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace miaotui {
namespace {

constexpr int kSlots = 32;
constexpr size_t kPathBytes = 240;

// A slot is claimed by a compare-exchange on `start` (0 = free); the handler only reads, so it
// stays async-signal-safe (no locks, no allocation).
struct Slot {
  std::atomic<uintptr_t> start{0};
  std::atomic<size_t> size{0};
  char path[kPathBytes] = {};
};
Slot g_slots[kSlots];

void WriteAll(const char* s) {
  size_t n = std::strlen(s);
  while (n > 0) {
    ssize_t w = ::write(STDERR_FILENO, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

void OnSigbus(int, siginfo_t* info, void*) {
  const uintptr_t addr = reinterpret_cast<uintptr_t>(info->si_addr);
  const char* path = nullptr;
  for (Slot& s : g_slots) {
    const uintptr_t start = s.start.load(std::memory_order_acquire);
    if (start != 0 && addr >= start && addr - start < s.size.load(std::memory_order_acquire)) {
      path = s.path;
      break;
    }
  }
  WriteAll("miaotui: error: ");
  WriteAll(path ? path : "a memory-mapped file");
  WriteAll(": the file was truncated or changed on disk while in use (SIGBUS reading it); "
           "do not modify a model file while miaotui runs\n");
  ::_exit(1);
}

void InstallHandler() {
  struct sigaction sa {};
  sa.sa_sigaction = OnSigbus;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGBUS, &sa, nullptr);
}

}  // namespace

void RegisterMapping(const uint8_t* data, size_t size, const char* path) {
  static std::once_flag once;
  std::call_once(once, InstallHandler);
  if (data == nullptr) return;
  for (Slot& s : g_slots) {
    uintptr_t expected = 0;
    if (s.start.load(std::memory_order_relaxed) != 0) continue;
    // Claim with a sentinel first, fill in, then publish the real start.
    if (!s.start.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) continue;
    std::strncpy(s.path, path, kPathBytes - 1);
    s.path[kPathBytes - 1] = '\0';
    s.size.store(size, std::memory_order_release);
    s.start.store(reinterpret_cast<uintptr_t>(data), std::memory_order_release);
    return;
  }
}

void UnregisterMapping(const uint8_t* data) {
  const uintptr_t start = reinterpret_cast<uintptr_t>(data);
  for (Slot& s : g_slots) {
    uintptr_t expected = start;
    if (s.start.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return;
  }
}

}  // namespace miaotui
