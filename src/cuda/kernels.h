// CUDA kernel launchers (defined in the .cu files of this folder), callable from host C++.
// Every pointer is device memory; every launch is asynchronous on `stream` and the caller checks
// cudaGetLastError after it. Activations are row-major float32 [rows, cols] as on the CPU
// (graph.h); weights keep their GGUF block layout (quant/*.h) and are `n` rows of `k` values.
// Each launcher computes the same function as the CPU op named beside it (ops/ops.h,
// ops/rope.h, ops/attention.h); tests/cuda compares them on random inputs.
#pragma once

#include <cstdint>

#include <cuda_runtime_api.h>

#include "ops/attention.h"
#include "ops/rope.h"
#include "tensor/dtype.h"

namespace miaotui::cuda {

// An activation block for the quantized products: 32 values q[i] = rint(x[i] * 127 / max|x|)
// (ties to even, as the CPU's Q8_0 activations), d = max|x| / 127 and the integer sum of q
// (the Q8_1 idea: the min term of Q4_K needs it). 40 bytes, 4-byte aligned.
struct Q8Act {
  float d;
  int32_t sum;
  int8_t qs[32];
};
static_assert(sizeof(Q8Act) == 40);

// Weight types of the matmuls and embedding tables the CUDA backend runs.
bool WeightTypeSupported(DType t);
bool IsQuantized(DType t);  // Q4_0, Q8_0, Q4_K, Q6_K (block formats)

// x [m, k] (k % 32 == 0) -> m * k / 32 blocks.
void QuantizeActivations(const float* x, int64_t m, int64_t k, Q8Act* out, cudaStream_t stream);
// y[r, o] = sum_k x[r, k] w[o, k] for quantized w, one warp per weight row, __dp4a on the
// quantized activations. REQUIRES: IsQuantized(wtype).
void QuantMatVec(DType wtype, const void* w, int64_t n, int64_t k, const Q8Act* x, int64_t m,
                 float* y, cudaStream_t stream);
// The same for F32/F16/BF16 w against float32 x (the decode path: exact float32 accumulation).
void DenseMatVec(DType wtype, const void* w, int64_t n, int64_t k, const float* x, int64_t m,
                 float* y, cudaStream_t stream);
// Rows of w (all n rows, or rows ids[0..n) when ids is not null) as float32 (out_f16 false) or
// F16 (true): embedding lookup and the prefill path of quantized weights (dequantize, then
// cuBLAS). Any supported type.
void DequantizeRows(DType wtype, const void* w, int64_t k, const int32_t* ids, int64_t n,
                    void* out, bool out_f16, cudaStream_t stream);
// float32 -> F16 or BF16 (the activations of a cuBLAS product).
void ConvertF32(const float* x, int64_t count, DType to, void* out, cudaStream_t stream);

// ops::RmsNorm, ops::LayerNorm (w, b may be null).
void RmsNorm(const float* x, const float* w, float eps, int64_t rows, int64_t cols, float* y,
             cudaStream_t stream);
void LayerNorm(const float* x, const float* w, const float* b, float eps, int64_t rows,
               int64_t cols, float* y, cudaStream_t stream);

enum class Unary { kSilu, kGeluTanh, kGeluErf, kTanh };
enum class Binary { kAdd, kMul, kSiluMul };
void UnaryOp(Unary op, const float* a, int64_t n, float* y, cudaStream_t stream);
void BinaryOp(Binary op, const float* a, const float* b, int64_t n, float* y,
              cudaStream_t stream);
// ops::AddRow, ops::SelectRows.
void AddRow(const float* x, const float* b, int64_t rows, int64_t cols, float* y,
            cudaStream_t stream);
void SelectRows(const float* x, int64_t cols, const int32_t* rows, int64_t n, float* y,
                cudaStream_t stream);

// ops::Rope from x into y (y may equal x); p.freq_factors, if set, must be device memory.
void Rope(const float* x, float* y, const int32_t* positions, int64_t rows,
          const ops::RopeParams& p, cudaStream_t stream);

// ops::StoreKv then ops::Attend. `index` and `cache` hold device pointers. `partials` holds
// AttendPartialFloats(n_tokens, p, max_keys) floats (split-K scratch).
void StoreKv(const float* k, const float* v, const ops::KvIndex& index, int64_t n_tokens,
             const ops::AttentionParams& p, const ops::KvLayerView& cache, cudaStream_t stream);
int AttendSplits(int64_t n_tokens, const ops::AttentionParams& p, int64_t max_keys);
int64_t AttendPartialFloats(int64_t n_tokens, const ops::AttentionParams& p, int64_t max_keys);
void Attend(const float* q, const ops::KvIndex& index, int64_t n_tokens,
            const ops::AttentionParams& p, const ops::KvLayerView& cache, int64_t max_keys,
            float* out, float* partials, cudaStream_t stream);
constexpr int64_t kMaxHeadDim = 256;

}  // namespace miaotui::cuda
