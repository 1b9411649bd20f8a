// CudaDeviceStatus / CudaDeviceDescription of a CUDA build (see cuda_backend.h).
#include <cstdio>

#include <cuda_runtime_api.h>

#include "cuda/cuda_backend.h"

namespace miaotui::cuda {

bool CudaBuilt() { return true; }

Status CudaDeviceStatus() {
  int n = 0;
  if (cudaError_t e = cudaGetDeviceCount(&n); e != cudaSuccess) {
    return NotFound(std::string("no CUDA device: ") + cudaGetErrorString(e));
  }
  if (n == 0) return NotFound("no CUDA device: cudaGetDeviceCount found none");
  return Status::Ok();
}

std::string CudaDeviceDescription() {
  if (!CudaDeviceStatus().ok()) return "none";
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return "unknown";
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%s (compute %d.%d, %d multiprocessors, %.1f GiB)", prop.name,
                prop.major, prop.minor, prop.multiProcessorCount,
                static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

}  // namespace miaotui::cuda
