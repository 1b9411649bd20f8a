// Run-time CPU feature detection (x86-64 CPUID + XGETBV), read once.
#pragma once

#include <string>

namespace miaotui {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512dq = false;
  bool avx512vl = false;
  bool avx512vnni = false;
  bool avx512bf16 = false;
  bool avxvnni = false;

  bool HasAvx2Set() const { return avx2 && fma && f16c; }
  bool HasAvx512Set() const {
    return HasAvx2Set() && avx512f && avx512bw && avx512dq && avx512vl && avx512vnni && avx512bf16;
  }
  std::string ToString() const;
};

const CpuFeatures& GetCpuFeatures();

// Number of online CPUs (at least 1).
int HardwareConcurrency();

}  // namespace miaotui
