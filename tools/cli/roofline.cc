// Machine limits for `miaotui bench --roofline` (see roofline.h). The probes are compiled for
// their ISA with target attributes and only called when CPUID reports it.
#include "roofline.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstring>
#include <vector>

#include "base/aligned.h"
#include "base/cpu_features.h"
#include "formats/gguf.h"

namespace miaotui::cli {
namespace {

constexpr size_t kBufferBytes = size_t{256} << 20;
constexpr int kPasses = 5;

// CPU time of the calling thread: the compute probes count only the time they ran, so a busy
// machine (other processes on the cores) does not understate the peak.
double ThreadCpuNow() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

__attribute__((target("avx2"))) uint64_t SumAvx2(const uint8_t* p, size_t n) {
  __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
  for (size_t i = 0; i + 128 <= n; i += 128) {
    s0 = _mm256_add_epi64(s0, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i)));
    s1 = _mm256_add_epi64(s1, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    s2 = _mm256_add_epi64(s2, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    s3 = _mm256_add_epi64(s3, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  const __m256i s = _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3));
  alignas(32) uint64_t v[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(v), s);
  return v[0] + v[1] + v[2] + v[3];
}

uint64_t SumScalar(const uint8_t* p, size_t n) {
  uint64_t s0 = 0, s1 = 0;
  for (size_t i = 0; i + 16 <= n; i += 16) {
    uint64_t a, b;
    std::memcpy(&a, p + i, 8);
    std::memcpy(&b, p + i + 8, 8);
    s0 += a;
    s1 += b;
  }
  return s0 + s1;
}

constexpr int64_t kIters = 1 << 24;

// 16 independent 16-lane FMA chains: 16 * 16 * 2 FLOP per iteration.
__attribute__((target("avx512f"))) float FmaLoop512(float seed) {
  __m512 acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(seed + static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < kIters; ++it) {
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 s = acc[0];
  for (int i = 1; i < 16; ++i) s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}
constexpr double kFmaOps512 = 16.0 * 16 * 2;

// 16 independent 8-lane FMA chains: 16 * 8 * 2 FLOP per iteration.
__attribute__((target("avx2,fma"))) float FmaLoop256(float seed) {
  __m256 acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm256_set1_ps(seed + static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t it = 0; it < kIters; ++it) {
    for (int i = 0; i < 16; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 s = acc[0];
  for (int i = 1; i < 16; ++i) s = _mm256_add_ps(s, acc[i]);
  alignas(32) float v[8];
  _mm256_store_ps(v, s);
  return v[0] + v[7];
}
constexpr double kFmaOps256 = 16.0 * 8 * 2;

// 16 independent vpdpbusd chains on zmm: 16 * 64 byte products (2 ops each) per iteration.
__attribute__((target("avx512f,avx512vnni"))) int DotLoop512(int seed) {
  __m512i acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_epi32(seed + i);
  const __m512i u = _mm512_set1_epi8(3), s = _mm512_set1_epi8(-2);
  for (int64_t it = 0; it < kIters; ++it) {
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], u, s);
  }
  __m512i t = acc[0];
  for (int i = 1; i < 16; ++i) t = _mm512_add_epi32(t, acc[i]);
  return _mm512_reduce_add_epi32(t);
}
constexpr double kDotOps512 = 16.0 * 64 * 2;

// Runs `loop` on every member twice and returns the team's ops/s: the sum over members of
// ops / thread CPU time, the better of the two runs.
template <class Loop>
double TeamRate(ThreadPool& pool, double ops_per_iter, Loop loop) {
  std::vector<double> secs(pool.size());
  std::vector<double> sink(pool.size());
  double best = 0;
  for (int pass = 0; pass < 2; ++pass) {
    pool.Run([&](int i, int) {
      const double t0 = ThreadCpuNow();
      sink[i] = loop(i);
      secs[i] = ThreadCpuNow() - t0;
    });
    double rate = 0;
    for (double s : secs) rate += ops_per_iter * kIters / s;
    best = std::max(best, rate);
  }
  volatile double keep = sink[0];
  (void)keep;
  return best;
}

}  // namespace

double ReadBandwidth(ThreadPool& pool) {
  static AlignedBuffer buf = [] {
    AlignedBuffer b = AlignedAlloc(kBufferBytes);
    std::memset(b.get(), 1, kBufferBytes);  // touch every page
    return b;
  }();
  const bool avx2 = GetCpuFeatures().avx2;
  const size_t lines = kBufferBytes / 128;
  std::vector<uint64_t> sums(pool.size());
  double best = 0;
  for (int pass = 0; pass < kPasses; ++pass) {
    const double t0 = Now();
    pool.Run([&](int i, int n) {
      int64_t b, e;
      ThreadPool::SplitRange(static_cast<int64_t>(lines), n, i, &b, &e);
      const uint8_t* p = buf.get() + b * 128;
      const size_t bytes = static_cast<size_t>(e - b) * 128;
      sums[i] = avx2 ? SumAvx2(p, bytes) : SumScalar(p, bytes);
    });
    best = std::max(best, kBufferBytes / (Now() - t0));
  }
  volatile uint64_t keep = sums[0];
  (void)keep;
  return best;
}

double PeakFp32(ThreadPool& pool) {
  const CpuFeatures& f = GetCpuFeatures();
  if (f.avx512f) return TeamRate(pool, kFmaOps512, [](int i) { return FmaLoop512(i * 0.5f); });
  if (f.avx2 && f.fma) return TeamRate(pool, kFmaOps256, [](int i) { return FmaLoop256(i * 0.5f); });
  return 0;
}

double PeakInt8(ThreadPool& pool) {
  const CpuFeatures& f = GetCpuFeatures();
  if (!(f.avx512f && f.avx512vnni)) return 0;
  return TeamRate(pool, kDotOps512, [](int i) { return static_cast<double>(DotLoop512(i)); });
}

int64_t DecodeWeightBytes(const models::ModelInfo& info) {
  if (info.format != "gguf") return info.weight_bytes;
  auto file = formats::GgufFile::Open(info.path);
  if (!file.ok()) return info.weight_bytes;
  const bool tied = (*file)->FindTensor("output.weight") == nullptr;
  int64_t bytes = 0;
  for (const formats::GgufTensorInfo& t : (*file)->tensors()) {
    if (t.name == "token_embd.weight" && !tied) {
      bytes += static_cast<int64_t>(t.n_bytes / std::max<int64_t>(1, t.shape.ne[1]));
    } else {
      bytes += static_cast<int64_t>(t.n_bytes);
    }
  }
  return bytes;
}

}  // namespace miaotui::cli
