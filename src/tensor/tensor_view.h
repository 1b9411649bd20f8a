// Shape and TensorView: a non-owning view of a tensor's bytes.
//
// Dimensions follow GGUF's order: ne[0] is the innermost, contiguous dimension. A 2D weight of a
// linear layer y = W x has ne[0] = in_features and ne[1] = out_features, i.e. it is stored as
// out_features rows of in_features values (PyTorch's (out, in) row-major layout). Unused trailing
// dimensions are 1. Views are always dense (rows back to back).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "tensor/dtype.h"

namespace miaotui {

struct Shape {
  int n_dims = 0;
  std::array<int64_t, 4> ne = {1, 1, 1, 1};

  static Shape Of(int64_t ne0) { return {1, {ne0, 1, 1, 1}}; }
  static Shape Of(int64_t ne0, int64_t ne1) { return {2, {ne0, ne1, 1, 1}}; }
  static Shape Of(int64_t ne0, int64_t ne1, int64_t ne2) { return {3, {ne0, ne1, ne2, 1}}; }

  int64_t NumElements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  int64_t NumRows() const { return ne[1] * ne[2] * ne[3]; }
  bool operator==(const Shape& o) const { return ne == o.ne; }
  // "[768, 2048]" in GGUF order.
  std::string ToString() const {
    std::string s = "[";
    for (int i = 0; i < (n_dims > 0 ? n_dims : 1); ++i) {
      if (i) s += ", ";
      s += std::to_string(ne[i]);
    }
    return s + "]";
  }
};

struct TensorView {
  const void* data = nullptr;
  DType dtype = DType::kF32;
  Shape shape;

  int64_t cols() const { return shape.ne[0]; }
  int64_t rows() const { return shape.NumRows(); }
  size_t row_bytes() const { return RowBytes(dtype, shape.ne[0]); }
  size_t bytes() const { return row_bytes() * static_cast<size_t>(rows()); }
  const uint8_t* row(int64_t r) const {
    return static_cast<const uint8_t*>(data) + static_cast<size_t>(r) * row_bytes();
  }
  bool valid() const { return data != nullptr; }
};

}  // namespace miaotui
