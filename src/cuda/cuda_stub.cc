// The CUDA entry points of a build without -DMIAOTUI_CUDA=ON: no device, with the reason.
#include "cuda/cuda_backend.h"

namespace miaotui::cuda {

namespace {
constexpr const char* kNotBuilt =
    "no CUDA device: this miaotui was built without CUDA (configure with -DMIAOTUI_CUDA=ON "
    "where nvcc is installed)";
}

Status CudaDeviceStatus() { return Unimplemented(kNotBuilt); }
std::string CudaDeviceDescription() { return "none (built without CUDA)"; }
Result<std::unique_ptr<graph::Backend>> CreateCudaBackend(const graph::KvCacheSpec&) {
  return Unimplemented(kNotBuilt);
}
bool CudaBuilt() { return false; }

}  // namespace miaotui::cuda
