// Backend: where a planned graph runs. The CPU backend (cpu_backend.h, today's Executor with its
// thread team) is the default; the CUDA backend (src/cuda/, built with -DMIAOTUI_CUDA=ON) runs the
// same graphs on a GPU. A backend is chosen once, when a model is loaded, and then owns:
//  - the weights in its memory (uploaded once in Prepare, keyed by the weight's host address, so
//    graphs of every batch size share them; the CPU backend reads the mapped file in place),
//  - the KV cache storage (its geometry is given at construction, see KvCacheSpec),
//  - the activation arena laid out by the memory plan (graph::PlanMemory offsets).
//
// Usage per forward pass: Prepare(g) (cheap after the first time for a graph), fill the inputs
// through InputI32 / InputF32 (host pointers), Run(g), read host copies through Output(g, t).
// Output pointers stay valid until the next Prepare or Run. Not thread-safe; one per session.
//
// Errors are Status: a weight type or op the backend cannot run names the node and the type
// (Prepare); a device failure names the call and the device's error string (Run).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "graph/graph.h"
#include "tensor/dtype.h"

namespace miaotui::graph {

// Where a session runs. kAuto: CUDA when a device is there, else the CPU (with a note).
enum class Device { kCpu, kCuda, kAuto };
const char* DeviceName(Device d);
// "cpu", "cuda" or "auto"; anything else is an error naming the value.
Result<Device> ParseDevice(std::string_view s);

// The KV cache a backend allocates (see graph::KvCache for the layout).
struct KvCacheSpec {
  int n_layer = 0;
  int64_t n_blocks = 0;
  int64_t block_size = 16;
  int64_t kv_dim = 0;
  DType dtype = DType::kF16;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;

  // Makes the backend ready to run `g` (planned): weights it has not seen are uploaded, the arena
  // and scratch grow to fit. Errors: an op or weight type this backend cannot run.
  virtual Status Prepare(const Graph& g) = 0;
  // Host memory for the caller to fill before Run. REQUIRES: Prepare(g); t an input node.
  virtual int32_t* InputI32(const Graph& g, Tensor t) = 0;
  virtual float* InputF32(const Graph& g, Tensor t) = 0;
  // Runs every live node with the backend's own KV cache; returns when the results are ready.
  virtual Status Run(const Graph& g) = 0;
  // A host copy of node t's F32 result after Run (the CUDA backend copies it on first request).
  virtual const float* Output(const Graph& g, Tensor t) = 0;
};

}  // namespace miaotui::graph
