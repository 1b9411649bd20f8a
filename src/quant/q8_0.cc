#include "quant/q8_0.h"

#include <cmath>
#include <cstring>

#include "base/half.h"
#include "quant/block_io.h"

namespace miaotui::quant {

float QuantizeQ8Block32(const float* x, int8_t* q, Rounding r) {
  float amax = 0;
  for (int j = 0; j < kBlock32; ++j) amax = std::fmax(amax, std::fabs(x[j]));
  const float d = amax / 127.0f;
  // The two ggml paths compute the multiplier differently; each is reproduced exactly.
  float id;
  if (r == Rounding::kHalfToEven) {
    id = amax != 0 ? 127.0f / amax : 0.0f;
  } else {
    id = d != 0 ? 1.0f / d : 0.0f;
  }
  for (int j = 0; j < kBlock32; ++j) q[j] = static_cast<int8_t>(RoundToInt(x[j] * id, r));
  return d;
}

void QuantizeQ8_0Activations(const float* x, void* blocks, int64_t n, Rounding r) {
  QuantizeBlocks<BlockQ8_0>(x, blocks, n, kBlock32, [r](const float* xb, BlockQ8_0* b) {
    b->d = FloatToHalf(QuantizeQ8Block32(xb, b->qs, r));
  });
}

void QuantizeQ8_0Row(const float* x, void* blocks, int64_t n) {
  QuantizeQ8_0Activations(x, blocks, n, Rounding::kHalfAwayFromZero);
}

void UnpackQ8_0(const uint8_t* block, Block32Ints* out) {
  const auto b = LoadBlock<BlockQ8_0>(block);
  out->d = HalfToFloat(b.d);
  out->has_min = false;
  std::memcpy(out->q, b.qs, sizeof(b.qs));
}

void DequantizeQ8_0Row(const void* blocks, float* y, int64_t n) {
  DequantizeBlock32Row(blocks, sizeof(BlockQ8_0), UnpackQ8_0, y, n);
}

float DotQ8_0Q8_0(const void* w, const void* a, int64_t n) {
  return DotBlock32Q8_0Row(w, sizeof(BlockQ8_0), UnpackQ8_0, a, n);
}

}  // namespace miaotui::quant
