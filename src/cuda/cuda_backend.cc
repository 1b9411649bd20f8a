// CudaBackend: graph::Backend on CUDA device 0 (contract in cuda_backend.h and graph/backend.h).
//
// Memory: every weight once (keyed by its host address, the bytes of its largest view), the KV
// cache (per layer a K plane and a V plane, the CPU's slot layout), one activation arena laid out
// by the CPU's memory plan (same node offsets), a host mirror of the arena for inputs and
// outputs, and scratch for quantized activations, converted activations, dequantized weights and
// attention partials. Matmuls: batches of at most kMatVecRows rows run the matrix x vector
// kernels (quantized: __dp4a on Q8 activations; F32/F16/BF16: float32); larger batches run
// cublasGemmEx with fp32 accumulation (quantized weights dequantized to F16 first). One stream;
// Run returns after the outputs are copied back. Not yet: CUDA graphs for decode steps.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "base/check.h"
#include "cuda/cuda_backend.h"
#include "cuda/device_buffer.h"
#include "cuda/kernels.h"

namespace miaotui::cuda {
namespace {

constexpr int64_t kMatVecRows = 8;

class CudaBackend final : public graph::Backend {
 public:
  ~CudaBackend() override {
    if (cublas_) cublasDestroy(cublas_);
    if (stream_) cudaStreamDestroy(stream_);
  }

  Status Init(const graph::KvCacheSpec& kv) {
    if (cudaError_t e = cudaSetDevice(0); e != cudaSuccess) return CudaError("cudaSetDevice(0)", e);
    if (cudaError_t e = cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking);
        e != cudaSuccess) {
      return CudaError("creating a stream", e);
    }
    if (cublasCreate(&cublas_) != CUBLAS_STATUS_SUCCESS) {
      cublas_ = nullptr;
      return Internal("CUDA: cublasCreate failed");
    }
    if (cublasSetStream(cublas_, stream_) != CUBLAS_STATUS_SUCCESS) {
      return Internal("CUDA: cublasSetStream failed");
    }
    kv_ = kv;
    if (kv.n_layer > 0) {
      if (kv.dtype != DType::kF32 && kv.dtype != DType::kF16) {
        return InvalidArgument(std::string("CUDA KV cache type must be f32 or f16, got ") +
                               DTypeName(kv.dtype));
      }
      const size_t plane = RowBytes(kv.dtype, kv.kv_dim) *
                           static_cast<size_t>(kv.n_blocks * kv.block_size);
      const size_t aligned = (plane + 255) / 256 * 256;
      MT_RETURN_IF_ERROR(kv_buffer_.Grow(aligned * 2 * kv.n_layer, "the KV cache"));
      auto* base = kv_buffer_.as<uint8_t>();
      for (int l = 0; l < kv.n_layer; ++l) {
        ops::KvLayerView v;
        v.k = base + aligned * (2 * l);
        v.v = base + aligned * (2 * l + 1);
        v.dtype = kv.dtype;
        v.block_size = kv.block_size;
        v.n_blocks = kv.n_blocks;
        layers_.push_back(v);
      }
    }
    return Status::Ok();
  }

  const char* name() const override { return "cuda"; }

  Status Prepare(const graph::Graph& g) override {
    if (!g.planned) return Internal("CUDA backend: the graph is not planned");
    size_t q8 = 0, xconv = 0, wdeq = 0, partials = 0;
    for (const graph::Node& n : g.nodes) {
      if (!n.alive) continue;
      MT_RETURN_IF_ERROR(CheckNode(g, n));
      const int64_t rows = n.shape.ne[1];
      if (n.op == graph::Op::kWeight) {
        MT_RETURN_IF_ERROR(Upload(n.weight.data, n.weight.bytes(), n.name));
      } else if (n.op == graph::Op::kRope && n.rope.freq_factors) {
        MT_RETURN_IF_ERROR(Upload(n.rope.freq_factors, sizeof(float) * (n.rope.n_rot / 2),
                                  n.name + " (rope frequency factors)"));
      } else if (n.op == graph::Op::kMatMul) {
        const TensorView& w = g.nodes[n.inputs[1]].weight;
        const size_t k = static_cast<size_t>(w.cols()), nr = static_cast<size_t>(w.rows());
        const size_t m = static_cast<size_t>(rows);
        if (rows <= kMatVecRows) {
          if (IsQuantized(w.dtype)) q8 = std::max(q8, m * (k / 32) * sizeof(Q8Act));
        } else {
          if (w.dtype != DType::kF32) xconv = std::max(xconv, m * k * 2);
          if (IsQuantized(w.dtype)) wdeq = std::max(wdeq, nr * k * 2);
        }
      } else if (n.op == graph::Op::kAttention) {
        partials = std::max(partials, sizeof(float) * static_cast<size_t>(AttendPartialFloats(
                                                          rows, n.attn, MaxKeys(n))));
      }
    }
    MT_RETURN_IF_ERROR(arena_.Grow(g.arena_bytes, "the activation arena"));
    if (host_arena_.size() < g.arena_bytes) host_arena_.resize(g.arena_bytes);
    MT_RETURN_IF_ERROR(q8_.Grow(q8, "quantized activations"));
    MT_RETURN_IF_ERROR(xconv_.Grow(xconv, "F16/BF16 activations"));
    MT_RETURN_IF_ERROR(wdeq_.Grow(wdeq, "a dequantized weight"));
    MT_RETURN_IF_ERROR(partials_.Grow(partials, "attention partials"));
    return Status::Ok();
  }

  int32_t* InputI32(const graph::Graph& g, graph::Tensor t) override {
    CHECK(g.nodes[t.id].op == graph::Op::kInput && g.nodes[t.id].dtype == DType::kI32);
    return reinterpret_cast<int32_t*>(host_arena_.data() + g.nodes[t.id].offset);
  }
  float* InputF32(const graph::Graph& g, graph::Tensor t) override {
    CHECK(g.nodes[t.id].op == graph::Op::kInput && g.nodes[t.id].dtype == DType::kF32);
    return reinterpret_cast<float*>(host_arena_.data() + g.nodes[t.id].offset);
  }

  Status Run(const graph::Graph& g) override {
    for (size_t id = 0; id < g.nodes.size(); ++id) {
      const graph::Node& n = g.nodes[id];
      if (!n.alive || n.op != graph::Op::kInput) continue;
      const size_t off = static_cast<size_t>(n.offset);
      if (cudaError_t e = cudaMemcpyAsync(arena_.as<uint8_t>() + off, host_arena_.data() + off,
                                          g.NodeBytes(static_cast<int>(id)),
                                          cudaMemcpyHostToDevice, stream_);
          e != cudaSuccess) {
        return CudaError("copying input '" + n.name + "' to the device", e);
      }
    }
    for (const graph::Node& n : g.nodes) {
      if (!n.alive || n.op == graph::Op::kInput || n.op == graph::Op::kWeight) continue;
      MT_RETURN_IF_ERROR(RunNode(g, n));
      if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) {
        return CudaError(std::string("launching node '") + n.name + "' (" + graph::OpName(n.op) +
                             ")",
                         e);
      }
    }
    for (int id : g.outputs) {
      const size_t off = static_cast<size_t>(g.nodes[id].offset);
      if (cudaError_t e = cudaMemcpyAsync(host_arena_.data() + off, arena_.as<uint8_t>() + off,
                                          g.NodeBytes(id), cudaMemcpyDeviceToHost, stream_);
          e != cudaSuccess) {
        return CudaError("copying output '" + g.nodes[id].name + "' back", e);
      }
    }
    if (cudaError_t e = cudaStreamSynchronize(stream_); e != cudaSuccess) {
      return CudaError("running the graph", e);
    }
    return Status::Ok();
  }

  const float* Output(const graph::Graph& g, graph::Tensor t) override {
    const graph::Node& n = g.nodes[t.id];
    uint8_t* host = host_arena_.data() + n.offset;
    bool is_output = false;
    for (int id : g.outputs) is_output |= id == t.id;
    if (!is_output) {  // not copied by Run: fetch it now
      const cudaError_t e = cudaMemcpy(host, arena_.as<uint8_t>() + n.offset, g.NodeBytes(t.id),
                                       cudaMemcpyDeviceToHost);
      if (e != cudaSuccess) {
        std::fprintf(stderr, "miaotui: CUDA: copying node '%s' back: %s\n", n.name.c_str(),
                     cudaGetErrorString(e));
      }
      CHECK(e == cudaSuccess);
    }
    return reinterpret_cast<const float*>(host);
  }

 private:
  int64_t MaxKeys(const graph::Node& n) const { return n.max_blocks * kv_.block_size; }

  Status CheckNode(const graph::Graph& g, const graph::Node& n) const {
    auto refuse = [&](const std::string& why) {
      return Unimplemented("the CUDA backend cannot run node '" + n.name + "' (" +
                           graph::OpName(n.op) + "): " + why + "; use --device cpu");
    };
    switch (n.op) {
      case graph::Op::kAttendSegments:
      case graph::Op::kPool:
        return refuse("encoder ops are not implemented on CUDA yet");
      case graph::Op::kEmbedding:
      case graph::Op::kMatMul: {
        const graph::Node& w = g.nodes[n.inputs[n.op == graph::Op::kMatMul ? 1 : 0]];
        if (!WeightTypeSupported(w.weight.dtype)) {
          return refuse("weight '" + w.name + "' is " + DTypeName(w.weight.dtype) +
                        " (CUDA runs F32, F16, BF16, Q4_0, Q8_0, Q4_K, Q6_K)");
        }
        return Status::Ok();
      }
      case graph::Op::kRmsNorm:
      case graph::Op::kLayerNorm:
      case graph::Op::kAddRow:
        for (size_t i = 1; i < n.inputs.size(); ++i) {
          const graph::Node& w = g.nodes[n.inputs[i]];
          if (w.op == graph::Op::kWeight && w.weight.dtype != DType::kF32) {
            return refuse(std::string("weight '") + w.name + "' is " + DTypeName(w.weight.dtype) +
                          ", expected F32");
          }
        }
        return Status::Ok();
      case graph::Op::kAttention:
        if (n.layer < 0 || n.layer >= static_cast<int>(layers_.size())) {
          return refuse("KV-cache layer " + std::to_string(n.layer) + " does not exist (the cache has " +
                        std::to_string(layers_.size()) + ")");
        }
        if (n.attn.head_dim > kMaxHeadDim || n.attn.n_head_kv <= 0 ||
            n.attn.n_head % n.attn.n_head_kv != 0) {
          return refuse("head_dim " + std::to_string(n.attn.head_dim) + " (at most " +
                        std::to_string(kMaxHeadDim) + ") or heads " +
                        std::to_string(n.attn.n_head) + "/" + std::to_string(n.attn.n_head_kv));
        }
        if (n.attn.n_head_kv * n.attn.head_dim != kv_.kv_dim) {
          return refuse("KV row of " + std::to_string(n.attn.n_head_kv * n.attn.head_dim) +
                        " values but the cache holds " + std::to_string(kv_.kv_dim));
        }
        return Status::Ok();
      default:
        return Status::Ok();
    }
  }

  Status Upload(const void* host, size_t bytes, const std::string& name) {
    auto it = weights_.find(host);
    if (it != weights_.end() && it->second.size() >= bytes) return Status::Ok();
    DeviceBuffer buf;
    MT_RETURN_IF_ERROR(buf.Grow(bytes, "weight '" + name + "'"));
    if (cudaError_t e = cudaMemcpy(buf.get(), host, bytes, cudaMemcpyHostToDevice);
        e != cudaSuccess) {
      return CudaError("uploading weight '" + name + "'", e);
    }
    weights_[host] = std::move(buf);
    return Status::Ok();
  }

  // Device address of node `id`'s data.
  uint8_t* Ptr(const graph::Graph& g, int id) const {
    const graph::Node& n = g.nodes[id];
    if (n.op == graph::Op::kWeight) return Dev(n.weight.data);
    return arena_.as<uint8_t>() + n.offset;
  }
  uint8_t* Dev(const void* host) const {
    auto it = weights_.find(host);
    CHECK(it != weights_.end());  // uploaded by Prepare
    return it->second.as<uint8_t>();
  }

  Status RunNode(const graph::Graph& g, const graph::Node& n);
  Status MatMul(const float* x, int64_t m, const TensorView& w, const void* wd, float* y);

  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  graph::KvCacheSpec kv_;
  DeviceBuffer kv_buffer_;
  std::vector<ops::KvLayerView> layers_;
  std::unordered_map<const void*, DeviceBuffer> weights_;
  DeviceBuffer arena_;
  std::vector<uint8_t> host_arena_;
  DeviceBuffer q8_, xconv_, wdeq_, partials_;
};

Status CudaBackend::MatMul(const float* x, int64_t m, const TensorView& w, const void* wd,
                           float* y) {
  const int64_t k = w.cols(), n = w.rows();
  if (m <= kMatVecRows) {
    if (IsQuantized(w.dtype)) {
      QuantizeActivations(x, m, k, q8_.as<Q8Act>(), stream_);
      QuantMatVec(w.dtype, wd, n, k, q8_.as<Q8Act>(), m, y, stream_);
    } else {
      DenseMatVec(w.dtype, wd, n, k, x, m, y, stream_);
    }
    return Status::Ok();
  }
  const void* a = wd;
  const void* b = x;
  cudaDataType type = CUDA_R_32F;
  if (IsQuantized(w.dtype)) {
    DequantizeRows(w.dtype, wd, k, nullptr, n, wdeq_.get(), /*out_f16=*/true, stream_);
    a = wdeq_.get();
    type = CUDA_R_16F;
  } else if (w.dtype == DType::kF16) {
    type = CUDA_R_16F;
  } else if (w.dtype == DType::kBF16) {
    type = CUDA_R_16BF;
  }
  if (type != CUDA_R_32F) {
    ConvertF32(x, m * k, type == CUDA_R_16BF ? DType::kBF16 : DType::kF16, xconv_.get(), stream_);
    b = xconv_.get();
  }
  // Row-major y[m, n] = x[m, k] w[n, k]^T is column-major y^T (n x m) = w^T' ... : w read as a
  // column-major k x n matrix (lda = k) transposed, x as column-major k x m (ldb = k).
  const float alpha = 1.0f, beta = 0.0f;
  const cublasStatus_t s = cublasGemmEx(
      cublas_, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m),
      static_cast<int>(k), &alpha, a, type, static_cast<int>(k), b, type, static_cast<int>(k),
      &beta, y, CUDA_R_32F, static_cast<int>(n), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
  if (s != CUBLAS_STATUS_SUCCESS) {
    return Internal(std::string("CUDA: cublasGemmEx failed: ") + cublasGetStatusString(s));
  }
  return Status::Ok();
}

Status CudaBackend::RunNode(const graph::Graph& g, const graph::Node& n) {
  auto f32 = [&](int i) { return reinterpret_cast<float*>(Ptr(g, n.inputs[i])); };
  auto i32 = [&](int i) { return reinterpret_cast<const int32_t*>(Ptr(g, n.inputs[i])); };
  float* out = reinterpret_cast<float*>(arena_.as<uint8_t>() + n.offset);
  const int64_t cols = n.shape.ne[0], rows = n.shape.ne[1];
  switch (n.op) {
    case graph::Op::kEmbedding: {
      const TensorView& table = g.nodes[n.inputs[0]].weight;
      DequantizeRows(table.dtype, Ptr(g, n.inputs[0]), table.cols(), i32(1), rows, out,
                     /*out_f16=*/false, stream_);
      break;
    }
    case graph::Op::kRmsNorm:
      RmsNorm(f32(0), f32(1), n.eps, rows, cols, out, stream_);
      break;
    case graph::Op::kLayerNorm:
      LayerNorm(f32(0), f32(1), f32(2), n.eps, rows, cols, out, stream_);
      break;
    case graph::Op::kMatMul: {
      const graph::Node& w = g.nodes[n.inputs[1]];
      return MatMul(f32(0), rows, w.weight, Dev(w.weight.data), out);
    }
    case graph::Op::kAdd:
      BinaryOp(Binary::kAdd, f32(0), f32(1), cols * rows, out, stream_);
      break;
    case graph::Op::kMul:
      BinaryOp(Binary::kMul, f32(0), f32(1), cols * rows, out, stream_);
      break;
    case graph::Op::kSiluMul:
      BinaryOp(Binary::kSiluMul, f32(0), f32(1), cols * rows, out, stream_);
      break;
    case graph::Op::kSilu:
      UnaryOp(Unary::kSilu, f32(0), cols * rows, out, stream_);
      break;
    case graph::Op::kGelu:
      UnaryOp(n.flag ? Unary::kGeluTanh : Unary::kGeluErf, f32(0), cols * rows, out, stream_);
      break;
    case graph::Op::kTanh:
      UnaryOp(Unary::kTanh, f32(0), cols * rows, out, stream_);
      break;
    case graph::Op::kRope: {
      ops::RopeParams p = n.rope;
      if (p.freq_factors) p.freq_factors = reinterpret_cast<const float*>(Dev(p.freq_factors));
      Rope(f32(0), out, i32(1), rows, p, stream_);
      break;
    }
    case graph::Op::kAttention: {
      const ops::KvIndex index{.positions = i32(3), .slots = i32(4), .seq_of_token = i32(5),
                               .block_table = i32(6), .max_blocks = n.max_blocks};
      const ops::KvLayerView& layer = layers_[n.layer];
      StoreKv(f32(1), f32(2), index, rows, n.attn, layer, stream_);
      Attend(f32(0), index, rows, n.attn, layer, MaxKeys(n), out, partials_.as<float>(), stream_);
      break;
    }
    case graph::Op::kSelectRows:
      SelectRows(f32(0), cols, i32(1), rows, out, stream_);
      break;
    case graph::Op::kAddRow:
      AddRow(f32(0), f32(1), rows, cols, out, stream_);
      break;
    case graph::Op::kAllReduce: {  // one device, no communicator: a copy
      const float* in = f32(0);
      if (in != out) {
        if (cudaError_t e = cudaMemcpyAsync(out, in, sizeof(float) * rows * cols,
                                            cudaMemcpyDeviceToDevice, stream_);
            e != cudaSuccess) {
          return CudaError("copying node '" + n.name + "'", e);
        }
      }
      break;
    }
    case graph::Op::kAttendSegments:
    case graph::Op::kPool:
      return Unimplemented(std::string("the CUDA backend cannot run ") + graph::OpName(n.op));
    case graph::Op::kInput:
    case graph::Op::kWeight:
      break;
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<graph::Backend>> CreateCudaBackend(const graph::KvCacheSpec& kv) {
  MT_RETURN_IF_ERROR(CudaDeviceStatus());
  auto b = std::make_unique<CudaBackend>();
  MT_RETURN_IF_ERROR(b->Init(kv));
  return std::unique_ptr<graph::Backend>(std::move(b));
}

}  // namespace miaotui::cuda
