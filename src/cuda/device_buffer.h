// DeviceBuffer: one cudaMalloc'd allocation, freed on destruction; Grow only reallocates when a
// larger size is asked for (contents are not kept). CudaError turns a failed CUDA runtime call
// into a Status naming the call, what it was for and the device's error string.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include <cuda_runtime_api.h>

#include "base/status.h"

namespace miaotui::cuda {

inline Status CudaError(const std::string& what, cudaError_t e) {
  return Internal("CUDA: " + what + ": " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) +
                  ")");
}

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept
      : ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      Release();
      ptr_ = std::exchange(o.ptr_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ~DeviceBuffer() { Release(); }

  // Makes the buffer hold at least `bytes`; `what` names it in the error.
  Status Grow(size_t bytes, const std::string& what) {
    if (bytes <= size_) return Status::Ok();
    Release();
    if (cudaError_t e = cudaMalloc(&ptr_, bytes); e != cudaSuccess) {
      ptr_ = nullptr;
      return CudaError("allocating " + std::to_string(bytes) + " bytes for " + what, e);
    }
    size_ = bytes;
    return Status::Ok();
  }

  void* get() const { return ptr_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  size_t size() const { return size_; }

 private:
  void Release() {
    if (ptr_) cudaFree(ptr_);
    ptr_ = nullptr;
    size_ = 0;
  }
  void* ptr_ = nullptr;
  size_t size_ = 0;
};

}  // namespace miaotui::cuda
