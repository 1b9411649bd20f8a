// The CUDA backend's entry points, available in every build: with -DMIAOTUI_CUDA=ON they reach
// the device (cuda_backend.cc); without it (cuda_stub.cc) they report that CUDA was not built in.
//
//  - CudaDeviceStatus(): OK when a CUDA device is usable, else an error whose message starts
//    "no CUDA device: " and gives the reason (cudaGetDeviceCount's error string, or "this
//    miaotui was built without CUDA"). Cheap; callers use it for --device cuda|auto.
//  - CudaDeviceDescription(): "NVIDIA H200 (compute 9.0, 132 multiprocessors, 139.8 GiB)".
//  - CreateCudaBackend(kv): a graph::Backend on device 0 with the given KV cache in device memory.
//    It runs the ops of decoder graphs (embedding, RMSNorm/LayerNorm, matmul, add/mul, SiLU/GELU,
//    RoPE in both layouts, attention over the paged cache, row selection); Prepare refuses any
//    other op (encoders' segment attention and pooling, all-reduce) and weight types other than
//    F32/F16/BF16/Q4_0/Q8_0/Q4_K/Q6_K, naming the node or tensor.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "graph/backend.h"

namespace miaotui::cuda {

Status CudaDeviceStatus();
std::string CudaDeviceDescription();
Result<std::unique_ptr<graph::Backend>> CreateCudaBackend(const graph::KvCacheSpec& kv);

// Whether this build has the CUDA backend compiled in.
bool CudaBuilt();

}  // namespace miaotui::cuda
