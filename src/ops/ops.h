// CPU operators on dense float32 activations: the building blocks the graph executor runs.
//
// Every operator takes (ith, nth): the calling thread's index in a team of nth threads, and does
// only its share of the work, so that one persistent team runs a whole forward pass with a
// barrier between dependent nodes. Activations are row-major float32 matrices [rows, cols] with
// dense rows. Each operator has this one portable implementation (SIMD lives in kernels/, which
// these call for the heavy loops); the math is spelled out in each header comment.
#pragma once

#include <cstdint>

#include "tensor/tensor_view.h"

namespace miaotui::ops {

// y[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * w. REQUIRES: w F32 with cols elements.
void RmsNorm(const float* x, const float* w, float eps, int64_t rows, int64_t cols, float* y,
             int ith, int nth);

// y[r, :] = (x[r, :] - mean) / sqrt(var + eps) * w + b (w, b may be null).
void LayerNorm(const float* x, const float* w, const float* b, float eps, int64_t rows,
               int64_t cols, float* y, int ith, int nth);

// y = a + b, y = a * b, elementwise over n values (y may alias a or b).
void Add(const float* a, const float* b, int64_t n, float* y, int ith, int nth);
void Mul(const float* a, const float* b, int64_t n, float* y, int ith, int nth);

// y = silu(a) * b, where silu(x) = x / (1 + exp(-x)) (SwiGLU's gate).
void SiluMul(const float* a, const float* b, int64_t n, float* y, int ith, int nth);
void Silu(const float* a, int64_t n, float* y, int ith, int nth);

// y[r, :] = x[r, :] + b (a bias row broadcast over rows). y may alias x.
void AddRow(const float* x, const float* b, int64_t rows, int64_t cols, float* y, int ith, int nth);

// GELU. tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (GPT-2's gelu_new);
// erf form: 0.5 x (1 + erf(x / sqrt(2))) (BERT's "gelu").
void Gelu(const float* a, int64_t n, float* y, bool tanh_form, int ith, int nth);

// y = tanh(a) (BERT's pooler activation).
void Tanh(const float* a, int64_t n, float* y, int ith, int nth);

// Pooling of each segment's rows: y[s, :] = mean (kMean), first row (kCls) or last row (kLast)
// of x rows [starts[s], starts[s + 1]).
enum class PoolMode { kMean, kCls, kLast };
void Pool(const float* x, int64_t cols, const int32_t* starts, int64_t n_segments, PoolMode mode,
          float* y, int ith, int nth);

// y[r, :] = table[ids[r], :] as float32. REQUIRES: 0 <= ids[r] < table.rows() (callers check).
void Embedding(const TensorView& table, const int32_t* ids, int64_t rows, float* y, int ith,
               int nth);

// y[r, o] = sum_k x[r, k] * w[o, k]; output columns are split across the team.
void MatMul(const float* x, int64_t rows, const TensorView& w, float* y, int ith, int nth);

// Copies the listed rows of x ([?, cols]) into y ([n, cols]).
void SelectRows(const float* x, int64_t cols, const int32_t* rows, int64_t n, float* y, int ith,
                int nth);

}  // namespace miaotui::ops
