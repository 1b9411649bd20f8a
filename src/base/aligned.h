// Aligned heap buffers for SIMD data (64-byte alignment: one cache line, one AVX-512 register).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

namespace miaotui {

inline constexpr size_t kCacheLine = 64;

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};

// Returns a 64-byte aligned, uninitialized block of at least `bytes` bytes; throws std::bad_alloc
// only for sizes no caller should request (callers bound sizes first).
inline std::unique_ptr<uint8_t[], AlignedFree> AlignedAlloc(size_t bytes) {
  size_t rounded = (bytes + kCacheLine - 1) / kCacheLine * kCacheLine;
  if (rounded == 0) rounded = kCacheLine;
  void* p = std::aligned_alloc(kCacheLine, rounded);
  if (!p) throw std::bad_alloc();
  return std::unique_ptr<uint8_t[], AlignedFree>(static_cast<uint8_t*>(p));
}

using AlignedBuffer = std::unique_ptr<uint8_t[], AlignedFree>;

inline size_t AlignUp(size_t n, size_t a) { return (n + a - 1) / a * a; }

}  // namespace miaotui
