#include "quant/block32.h"

#include <cmath>

#include "base/check.h"
#include "base/half.h"
#include "quant/q8_0.h"
#include "quant/q8_1.h"

namespace miaotui::quant {
namespace {

int32_t DotInts32(const int8_t* a, const int8_t* b) {
  int32_t sum = 0;
  for (int i = 0; i < kBlock32; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace

void DequantizeBlock32Row(const void* blocks, size_t block_bytes, UnpackBlock32Fn unpack, float* y,
                          int64_t n) {
  DCHECK(n % kBlock32 == 0);
  const auto* p = static_cast<const uint8_t*>(blocks);
  Block32Ints b;
  for (int64_t i = 0; i < n / kBlock32; ++i, p += block_bytes, y += kBlock32) {
    unpack(p, &b);
    if (b.has_min) {
      for (int j = 0; j < kBlock32; ++j) y[j] = b.q[j] * b.d + b.m;
    } else {
      for (int j = 0; j < kBlock32; ++j) y[j] = b.q[j] * b.d;
    }
  }
}

float DotBlock32Q8_0Row(const void* w, size_t block_bytes, UnpackBlock32Fn unpack, const void* a,
                        int64_t n) {
  DCHECK(n % kBlock32 == 0);
  const auto* p = static_cast<const uint8_t*>(w);
  const auto* pa = static_cast<const uint8_t*>(a);
  Block32Ints bw, ba;
  float sum = 0;
  for (int64_t i = 0; i < n / kBlock32; ++i, p += block_bytes, pa += sizeof(BlockQ8_0)) {
    unpack(p, &bw);
    UnpackQ8_0(pa, &ba);
    sum += (bw.d * ba.d) * static_cast<float>(DotInts32(bw.q, ba.q));
  }
  return sum;
}

float DotBlock32Q8_1Row(const void* w, size_t block_bytes, UnpackBlock32Fn unpack, const void* a,
                        int64_t n) {
  DCHECK(n % kBlock32 == 0);
  const auto* p = static_cast<const uint8_t*>(w);
  const auto* pa = static_cast<const uint8_t*>(a);
  Block32Ints bw;
  BlockQ8_1 ba;
  float sum = 0;
  for (int64_t i = 0; i < n / kBlock32; ++i, p += block_bytes, pa += sizeof(BlockQ8_1)) {
    unpack(p, &bw);
    std::memcpy(&ba, pa, sizeof(ba));
    const float da = HalfToFloat(ba.d);
    sum += (bw.d * da) * static_cast<float>(DotInts32(bw.q, ba.qs));
    if (bw.has_min) sum += bw.m * HalfToFloat(ba.s);
  }
  return sum;
}

void PackNibbles32(const uint8_t* l, uint8_t* qs) {
  for (int j = 0; j < kBlock32 / 2; ++j) qs[j] = static_cast<uint8_t>(l[j] | (l[j + 16] << 4));
}

void PackFiveBits32(const uint8_t* l, uint8_t qh[4], uint8_t qs[16]) {
  uint8_t low[kBlock32];
  uint32_t bits = 0;
  for (int j = 0; j < kBlock32; ++j) {
    bits |= static_cast<uint32_t>((l[j] >> 4) & 1) << j;
    low[j] = l[j] & 0x0f;
  }
  for (int k = 0; k < 4; ++k) qh[k] = static_cast<uint8_t>(bits >> (8 * k));
  PackNibbles32(low, qs);
}

void UnpackLevels32(const uint8_t* qs, const uint8_t* qh, int offset, int8_t* q) {
  for (int j = 0; j < kBlock32; ++j) {
    int level = (qs[j % 16] >> (4 * (j / 16))) & 0x0f;
    if (qh != nullptr) level |= ((qh[j / 8] >> (j % 8)) & 1) << 4;
    q[j] = static_cast<int8_t>(level + offset);
  }
}

float QuantizeSymmetric32(const float* x, int levels, uint8_t* l) {
  float amax = 0, max = 0;
  for (int j = 0; j < kBlock32; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  const float d = max / static_cast<float>(-levels / 2);
  const float id = d != 0 ? 1.0f / d : 0.0f;
  const float offset = static_cast<float>(levels / 2) + 0.5f;
  for (int j = 0; j < kBlock32; ++j) {
    const float v = x[j] * id;
    const int q = static_cast<int8_t>(v + offset);
    l[j] = static_cast<uint8_t>(q < levels - 1 ? q : levels - 1);
  }
  return d;
}

void QuantizeAffine32(const float* x, int levels, uint8_t* l, float* d, float* min) {
  float lo = x[0], hi = x[0];
  for (int j = 1; j < kBlock32; ++j) {
    if (x[j] < lo) lo = x[j];
    if (x[j] > hi) hi = x[j];
  }
  *d = (hi - lo) / static_cast<float>(levels - 1);
  *min = lo;
  const float id = *d != 0 ? 1.0f / *d : 0.0f;
  for (int j = 0; j < kBlock32; ++j) {
    const float v = (x[j] - lo) * id;
    const int q = static_cast<int8_t>(v + 0.5f);
    l[j] = static_cast<uint8_t>(q < levels - 1 ? q : levels - 1);
  }
}

}  // namespace miaotui::quant
