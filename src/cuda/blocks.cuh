// Device-side readers of the GGUF block formats (layouts: quant/q4_0.h, q8_0.h, q4_k.h, q6_k.h).
// Every format is read 32 values at a time ("sub-block" s of a row, s = 0 .. k/32 - 1) as
//   value[i] = (i < 16 ? sa : sb) * q[i] - mn,   q[i] a signed byte,
// packed four to a 32-bit word in value order, so one routine serves the integer dot product
// (__dp4a against Q8Act) and dequantization. Loads are byte-assembled where a format's blocks
// are only 2-byte aligned (Q4_0: 18 bytes, Q8_0: 34, Q6_K: 210).
#pragma once

#include <cstdint>

#include <cuda_fp16.h>

#include "tensor/dtype.h"

namespace miaotui::cuda {

struct Sub32 {
  int32_t q[8];
  float sa, sb, mn;
};

__device__ __forceinline__ float HalfAt(const uint8_t* p) {
  const uint16_t bits = static_cast<uint16_t>(p[0] | (p[1] << 8));
  return __half2float(__ushort_as_half(bits));
}

// Four bytes at any alignment, little-endian.
__device__ __forceinline__ uint32_t Load4(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

struct FmtQ4_0 {
  static constexpr int kBytes = 18;  // per 32 values
  __device__ static void Unpack(const uint8_t* row, int64_t s, Sub32* o) {
    const uint8_t* b = row + s * kBytes;
    const float d = HalfAt(b);
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const uint32_t w = Load4(b + 2 + 4 * i);
      o->q[i] = static_cast<int32_t>(__vsub4(w & 0x0F0F0F0Fu, 0x08080808u));
      o->q[i + 4] = static_cast<int32_t>(__vsub4((w >> 4) & 0x0F0F0F0Fu, 0x08080808u));
    }
    o->sa = o->sb = d;
    o->mn = 0.0f;
  }
};

struct FmtQ8_0 {
  static constexpr int kBytes = 34;
  __device__ static void Unpack(const uint8_t* row, int64_t s, Sub32* o) {
    const uint8_t* b = row + s * kBytes;
#pragma unroll
    for (int i = 0; i < 8; ++i) o->q[i] = static_cast<int32_t>(Load4(b + 2 + 4 * i));
    o->sa = o->sb = HalfAt(b);
    o->mn = 0.0f;
  }
};

// Q4_K: 144-byte super-blocks of 256 = 8 sub-blocks of 32: d, dmin (F16), 12 bytes of 6-bit
// scales and mins, 128 bytes of nibbles (per 64 values: 32 bytes, low nibbles first).
struct FmtQ4_K {
  static constexpr int kBytes = 144;
  __device__ static void Unpack(const uint8_t* row, int64_t s, Sub32* o) {
    const uint8_t* b = row + (s / 8) * kBytes;
    const int j = static_cast<int>(s % 8);
    const uint8_t* sc = b + 4;
    int scale, min;
    if (j < 4) {
      scale = sc[j] & 63;
      min = sc[j + 4] & 63;
    } else {
      scale = (sc[j + 4] & 0x0F) | ((sc[j - 4] >> 6) << 4);
      min = (sc[j + 4] >> 4) | ((sc[j] >> 6) << 4);
    }
    const uint8_t* qs = b + 16 + 32 * (j / 2);
    const int shift = (j & 1) * 4;
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      o->q[i] = static_cast<int32_t>((Load4(qs + 4 * i) >> shift) & 0x0F0F0F0Fu);
    }
    o->sa = o->sb = HalfAt(b) * static_cast<float>(scale);
    o->mn = HalfAt(b + 2) * static_cast<float>(min);
  }
};

// Q6_K: 210-byte super-blocks of 256: ql[128], qh[64], int8 scales[16] (one per 16 values), d.
// Values 128h + 32t + l (t < 4, l < 32): low nibble of ql[64h + 32(t & 1) + l] (t < 2) or its
// high nibble (t >= 2), bits 4..5 from bits 2t..2t+1 of qh[32h + l]; minus 32.
struct FmtQ6_K {
  static constexpr int kBytes = 210;
  __device__ static void Unpack(const uint8_t* row, int64_t s, Sub32* o) {
    const uint8_t* b = row + (s / 8) * kBytes;
    const int j = static_cast<int>(s % 8);
    const int h = j / 4, t = j % 4;
    const uint8_t* ql = b + 64 * h + 32 * (t & 1);
    const uint8_t* qh = b + 128 + 32 * h;
    const int lo_shift = (t >= 2) ? 4 : 0;
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      const uint32_t lo = (Load4(ql + 4 * i) >> lo_shift) & 0x0F0F0F0Fu;
      const uint32_t hi = ((Load4(qh + 4 * i) >> (2 * t)) & 0x03030303u) << 4;
      o->q[i] = static_cast<int32_t>(__vsub4(lo | hi, 0x20202020u));
    }
    const auto* scales = reinterpret_cast<const int8_t*>(b + 192);
    const float d = HalfAt(b + 208);
    o->sa = d * static_cast<float>(scales[8 * h + 2 * t]);
    o->sb = d * static_cast<float>(scales[8 * h + 2 * t + 1]);
    o->mn = 0.0f;
  }
};

// Calls f(FmtX{}) for a quantized DType; returns false for any other type.
template <typename F>
bool DispatchQuant(DType t, F&& f) {
  switch (t) {
    case DType::kQ4_0:
      f(FmtQ4_0{});
      return true;
    case DType::kQ8_0:
      f(FmtQ8_0{});
      return true;
    case DType::kQ4_K:
      f(FmtQ4_K{});
      return true;
    case DType::kQ6_K:
      f(FmtQ6_K{});
      return true;
    default:
      return false;
  }
}

}  // namespace miaotui::cuda
