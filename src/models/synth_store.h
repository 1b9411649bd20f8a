// Internal to models/: random tensors for `miaotui synth` writers (llama, bert).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "base/aligned.h"
#include "base/half.h"
#include "formats/gguf.h"

namespace miaotui::models::synth_internal {

// xoshiro256**-style generator: fast enough to fill a billion weights in seconds.
class FastRng {
 public:
  explicit FastRng(uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9e3779b97f4a7c15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      s = z ^ (z >> 31);
    }
  }
  uint64_t Next() {
    const uint64_t r = Rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return r;
  }
  // Uniform in [-1, 1).
  float Uniform() { return static_cast<float>(Next() >> 40) * (2.0f / 16777216.0f) - 1.0f; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

class TensorStore {
 public:
  // Random tensor with standard deviation `stddev` (uniform distribution), stored as `dtype`.
  void Random(formats::GgufWriter& w, const std::string& name, DType dtype, const Shape& shape,
              float stddev, FastRng& rng) {
    const int64_t n = shape.NumElements();
    AlignedBuffer buf = AlignedAlloc(RowBytes(dtype, n));
    const float a = stddev * std::sqrt(3.0f);
    for (int64_t i = 0; i < n; ++i) {
      float v = a * rng.Uniform();
      if (dtype == DType::kF32) {
        reinterpret_cast<float*>(buf.get())[i] = v;
      } else if (dtype == DType::kF16) {
        reinterpret_cast<uint16_t*>(buf.get())[i] = FloatToHalf(v);
      } else {
        reinterpret_cast<uint16_t*>(buf.get())[i] = FloatToBf16(v);
      }
    }
    w.AddTensor(name, dtype, shape, buf.get());
    buffers_.push_back(std::move(buf));
  }
  void Ones(formats::GgufWriter& w, const std::string& name, int64_t n) {
    AlignedBuffer buf = AlignedAlloc(static_cast<size_t>(n) * 4);
    for (int64_t i = 0; i < n; ++i) reinterpret_cast<float*>(buf.get())[i] = 1.0f;
    w.AddTensor(name, DType::kF32, Shape::Of(n), buf.get());
    buffers_.push_back(std::move(buf));
  }

 private:
  std::vector<AlignedBuffer> buffers_;
};


}  // namespace miaotui::models::synth_internal
