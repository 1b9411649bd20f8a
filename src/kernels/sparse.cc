// Packing, unpacking, the scalar reference GEMV and the dispatch for sparse F16 weights.
#include "kernels/sparse.h"

#include <bit>
#include <cstring>

#include "base/check.h"
#include "base/half.h"
#include "kernels/sparse_internal.h"

namespace miaotui::kernels {
namespace {

bool IsZero(uint16_t h) { return (h & 0x7fff) == 0; }

void Append(std::vector<uint8_t>& out, const void* p, size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  out.insert(out.end(), b, b + n);
}

void PackRowUnstructured(const uint16_t* row, int64_t k, SparseMatrix& m) {
  const int64_t blocks = (k + 15) / 16;
  std::vector<uint16_t> masks(static_cast<size_t>(blocks), 0), values;
  for (int64_t i = 0; i < k; ++i) {
    if (IsZero(row[i])) continue;
    masks[static_cast<size_t>(i / 16)] |= static_cast<uint16_t>(1u << (i % 16));
    values.push_back(row[i]);
  }
  Append(m.data, masks.data(), masks.size() * 2);
  Append(m.data, values.data(), values.size() * 2);
  m.nnz += static_cast<int64_t>(values.size());
}

Status PackRow2of4(const uint16_t* row, int64_t o, int64_t k, SparseMatrix& m) {
  for (int64_t c = 0; c < (k + 31) / 32; ++c) {
    uint32_t pos = 0;
    uint16_t vals[16] = {};
    for (int g = 0; g < 8; ++g) {
      int used = 0;
      int free_pos[4], n_free = 0;
      for (int p = 0; p < 4; ++p) {
        const int64_t col = 32 * c + 4 * g + p;
        if (col >= k || IsZero(row[col])) {
          free_pos[n_free++] = p;
          continue;
        }
        if (used == 2) {
          return InvalidArgument("2:4 sparsity: row " + std::to_string(o) + " has more than 2 "
                                 "nonzeros in columns " + std::to_string(col - p) + ".." +
                                 std::to_string(col - p + 3));
        }
        const int j = 2 * g + used++;
        vals[j] = row[col];
        pos |= static_cast<uint32_t>(p) << (2 * j);
        ++m.nnz;
      }
      // Unused slots: +0 at a position of this group that holds no value.
      for (int f = 0; used < 2; ++used) pos |= static_cast<uint32_t>(free_pos[f++]) << (2 * (2 * g + used));
    }
    Append(m.data, &pos, 4);
    Append(m.data, vals, 32);
  }
  return Status::Ok();
}

}  // namespace

Result<SparseMatrix> PackSparseF16(const uint16_t* w, int64_t n, int64_t k, SparseLayout layout) {
  if (n < 1 || k < 1) {
    return InvalidArgument("sparse pack: expected at least one row and column, got " +
                           std::to_string(n) + " x " + std::to_string(k));
  }
  SparseMatrix m;
  m.layout = layout;
  m.n = n;
  m.k = k;
  m.row_begin.reserve(static_cast<size_t>(n) + 1);
  for (int64_t o = 0; o < n; ++o) {
    m.row_begin.push_back(m.data.size());
    const uint16_t* row = w + o * k;
    if (layout == SparseLayout::kUnstructured) {
      PackRowUnstructured(row, k, m);
    } else {
      MT_RETURN_IF_ERROR(PackRow2of4(row, o, k, m));
    }
  }
  m.row_begin.push_back(m.data.size());
  // Slack so that 32-byte vector loads of a row's last values stay inside the buffer.
  m.data.resize(m.data.size() + 64, 0);
  return m;
}

std::vector<uint16_t> UnpackSparseF16(const SparseMatrix& w) {
  std::vector<uint16_t> out(static_cast<size_t>(w.n * w.k), 0);
  for (int64_t o = 0; o < w.n; ++o) {
    const uint8_t* p = w.data.data() + w.row_begin[static_cast<size_t>(o)];
    uint16_t* row = out.data() + o * w.k;
    internal::ForEachNonzero(w.layout, p, w.k, [&](int64_t col, uint16_t h) { row[col] = h; });
  }
  return out;
}

namespace internal {

void SparseGemvRef(const SparseMatrix& w, const float* x, int64_t o_begin, int64_t o_end,
                   float* y) {
  for (int64_t o = o_begin; o < o_end; ++o) {
    const uint8_t* p = w.data.data() + w.row_begin[static_cast<size_t>(o)];
    float acc = 0;
    ForEachNonzero(w.layout, p, w.k, [&](int64_t col, uint16_t h) { acc += x[col] * HalfToFloat(h); });
    y[o] = acc;
  }
}

}  // namespace internal

void SparseGemvIsa(Isa isa, const SparseMatrix& w, const float* x, int64_t o_begin,
                   int64_t o_end, float* y) {
  CHECK(0 <= o_begin && o_begin <= o_end && o_end <= w.n);
#if defined(MIAOTUI_KERNELS_X86)
  if (isa == Isa::kAvx512) return internal::SparseGemvAvx512(w, x, o_begin, o_end, y);
#else
  (void)isa;
#endif
  internal::SparseGemvRef(w, x, o_begin, o_end, y);
}

void SparseGemv(const SparseMatrix& w, const float* x, int64_t o_begin, int64_t o_end, float* y) {
  SparseGemvIsa(ActiveIsa(), w, x, o_begin, o_end, y);
}

}  // namespace miaotui::kernels
