#include "device_args.h"

#include <cstdio>

#include "cuda/cuda_backend.h"

namespace miaotui::cli {
namespace {

// What keeps a session off the GPU even when one is there (see device_args.h).
std::string SessionsNotOnCudaYet() {
  return "CUDA device " + cuda::CudaDeviceDescription() +
         " found, but sessions do not run on the CUDA backend yet (docs/CUDA.md)";
}

}  // namespace

void AddDeviceOption(ArgParser& p, std::string* device) {
  p.Option("device", "", device, "cpu|cuda|auto",
           "where the model runs (default cpu; auto: CUDA if a device is usable)");
}

Result<graph::Device> ResolveDevice(const std::string& flag, bool quiet) {
  auto d = graph::ParseDevice(flag);
  if (!d.ok() || *d == graph::Device::kCpu) return d;
  const Status cuda = cuda::CudaDeviceStatus();
  if (*d == graph::Device::kCuda) {
    if (!cuda.ok()) return Status(cuda.code(), cuda.message() + "; use --device cpu");
    return Unimplemented(SessionsNotOnCudaYet() + "; use --device cpu");
  }
  if (!quiet) {  // auto
    const std::string why = cuda.ok() ? SessionsNotOnCudaYet() : cuda.message();
    std::fprintf(stderr, "miaotui: note: --device auto: %s; running on the CPU\n", why.c_str());
  }
  return graph::Device::kCpu;
}

}  // namespace miaotui::cli
