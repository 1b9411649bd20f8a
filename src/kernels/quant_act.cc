// Activation quantization for the quantized MatMul (see quant_internal.h): the quant/ activation
// quantizers (round half to even), then a repack of their blocks into per-row arrays; and the
// scalar reference QuantMatMulRef. Baseline-compiled.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "base/check.h"
#include "base/half.h"
#include "kernels/kernel_table.h"
#include "kernels/quant_internal.h"
#include "quant/q8_0.h"
#include "quant/q8_1.h"
#include "quant/q8_k.h"
#include "quant/traits.h"

namespace miaotui::kernels::internal {
namespace {

constexpr size_t Align64(size_t n) { return (n + 63) & ~size_t{63}; }

// 8-bit quantization would turn NaN or Inf into ordinary integers; such rows must stay
// non-finite so that a corrupted input is reported rather than silently computed with.
bool RowFinite(const float* x, int64_t k) {
  float acc = 0.0f;
  for (int64_t i = 0; i < k; ++i) acc += x[i] * 0.0f;  // NaN if any x is NaN or Inf
  return acc == 0.0f;
}

// Thread-local byte buffers (distinct from ThreadScratch's slots, which GEMMs use meanwhile).
std::vector<uint8_t>& BlockBuffer() {
  thread_local std::vector<uint8_t> buf;
  return buf;
}

}  // namespace

bool IsQuantWeight(DType t) {
  const quant::QuantTraits* q = quant::GetQuantTraits(t);
  return q != nullptr && q->vec_dot_ref != nullptr;
}

QuantizedActs ActsLayout(DType act_type, int64_t m, int64_t k) {
  const quant::QuantTraits* at = quant::GetQuantTraits(act_type);
  CHECK(at != nullptr && at->quantize_act != nullptr && k % at->block_size == 0);
  QuantizedActs a;
  a.type = act_type;
  a.rows = m;
  a.k = k;
  a.blocks = k / at->block_size;
  a.d_off = Align64(static_cast<size_t>(k));
  size_t end = a.d_off + Align64(static_cast<size_t>(a.blocks) * 4);
  a.sum_off = a.s_off = a.bsums_off = end;
  if (act_type == DType::kQ8_K) {
    end += Align64(static_cast<size_t>(k / 16) * 2);
  } else {
    a.s_off = end + Align64(static_cast<size_t>(a.blocks) * 4);
    end = a.s_off + Align64(static_cast<size_t>(a.blocks) * 4);
  }
  a.stride = end;
  return a;
}

void UseActsScratch(QuantizedActs* a) {
  // The float scratch is 64-byte aligned; its last slot is not used by the GEMMs meanwhile.
  a->base = reinterpret_cast<uint8_t*>(ThreadScratch(kScratchSlots - 1,
                                                     (a->stride * a->rows + 3) / 4));
}

void QuantizeActsRef(const QuantizedActs& a, const float* x, int64_t ldx) {
  const DType act_type = a.type;
  const quant::QuantTraits* at = quant::GetQuantTraits(act_type);
  const int64_t k = a.k, m = a.rows;
  uint8_t* out = const_cast<uint8_t*>(a.base);
  std::vector<uint8_t>& blocks = BlockBuffer();
  blocks.resize(RowBytes(act_type, k));
  for (int64_t r = 0; r < m; ++r) {
    at->quantize_act(x + r * ldx, blocks.data(), k, quant::Rounding::kHalfToEven);
    uint8_t* row = out + r * a.stride;
    auto* qs = reinterpret_cast<int8_t*>(row);
    auto* d = reinterpret_cast<float*>(row + a.d_off);
    const uint8_t* p = blocks.data();
    if (act_type == DType::kQ8_K) {
      auto* bs = reinterpret_cast<int16_t*>(row + a.bsums_off);
      for (int64_t b = 0; b < a.blocks; ++b, p += sizeof(quant::BlockQ8_K)) {
        quant::BlockQ8_K blk;
        std::memcpy(&blk, p, sizeof(blk));
        d[b] = blk.d;
        std::memcpy(qs + b * 256, blk.qs, 256);
        std::memcpy(bs + b * 16, blk.bsums, sizeof(blk.bsums));
      }
      if (!RowFinite(x + r * ldx, k)) std::fill(d, d + a.blocks, NAN);
      continue;
    }
    auto* sum = reinterpret_cast<int32_t*>(row + a.sum_off);
    auto* s = reinterpret_cast<float*>(row + a.s_off);
    const bool q81 = act_type == DType::kQ8_1;
    const size_t bb = q81 ? sizeof(quant::BlockQ8_1) : sizeof(quant::BlockQ8_0);
    for (int64_t b = 0; b < a.blocks; ++b, p += bb) {
      uint16_t dh, sh = 0;
      std::memcpy(&dh, p, 2);
      if (q81) std::memcpy(&sh, p + 2, 2);
      const auto* q = reinterpret_cast<const int8_t*>(p + (q81 ? 4 : 2));
      std::memcpy(qs + b * 32, q, 32);
      int32_t t = 0;
      for (int i = 0; i < 32; ++i) t += q[i];
      d[b] = HalfToFloat(dh);
      sum[b] = t;
      s[b] = HalfToFloat(sh);
    }
    if (!RowFinite(x + r * ldx, k)) std::fill(d, d + a.blocks, NAN);
  }
}

QuantizedActs QuantizeActs(DType act_type, const float* x, int64_t m, int64_t k, int64_t ldx) {
  QuantizedActs a = ActsLayout(act_type, m, k);
  UseActsScratch(&a);
  QuantizeActsRef(a, x, ldx);
  return a;
}

void QuantMatMulRef(const float* x, int64_t m, int64_t k, int64_t ldx, const void* w, DType wtype,
                    int64_t o_begin, int64_t o_end, float* y, int64_t ldy) {
  const quant::QuantTraits* t = quant::GetQuantTraits(wtype);
  const quant::QuantTraits* at = quant::GetQuantTraits(t->vec_dot_type);
  std::vector<uint8_t>& act = BlockBuffer();
  act.resize(RowBytes(at->dtype, k));
  const size_t row_bytes = RowBytes(wtype, k);
  const auto* wb = static_cast<const uint8_t*>(w);
  for (int64_t r = 0; r < m; ++r) {
    at->quantize_act(x + r * ldx, act.data(), k, quant::Rounding::kHalfToEven);
    const bool finite = RowFinite(x + r * ldx, k);
    for (int64_t o = o_begin; o < o_end; ++o) {
      y[r * ldy + o] = finite ? t->vec_dot_ref(wb + static_cast<size_t>(o) * row_bytes, act.data(), k)
                              : NAN;
    }
  }
}

}  // namespace miaotui::kernels::internal
