// Thread-local scratch buffers for the kernels (see kernel_table.h: ThreadScratch).
#include <cstddef>

#include "base/aligned.h"
#include "base/check.h"
#include "kernels/kernel_table.h"

namespace miaotui::kernels::internal {

float* ThreadScratch(int slot, size_t n) {
  struct Buffer {
    AlignedBuffer data;
    size_t capacity = 0;  // floats
  };
  thread_local Buffer buffers[kScratchSlots];
  CHECK(slot >= 0 && slot < kScratchSlots);
  Buffer& b = buffers[slot];
  if (b.capacity < n) {
    b.data = AlignedAlloc(n * sizeof(float));
    b.capacity = n;
  }
  return reinterpret_cast<float*>(b.data.get());
}

}  // namespace miaotui::kernels::internal
