// ISA selection: what the CPU supports (base/cpu_features.h), the MIAOTUI_ISA environment
// override (read once), and the programmatic override used by tests and benchmarks.
#include "kernels/isa.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "base/check.h"
#include "base/cpu_features.h"
#include "base/log.h"
#include "kernels/kernel_table.h"

namespace miaotui::kernels {
namespace {

bool IsAvailable(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return true;
#if defined(MIAOTUI_KERNELS_X86)
    case Isa::kAvx2:
      return GetCpuFeatures().HasAvx2Set();
    case Isa::kAvx512:
      return GetCpuFeatures().HasAvx512Set();
#endif
    default:
      return false;
  }
}

Isa BestIsa() {
  std::vector<Isa> all = AvailableIsas();
  return all.back();
}

// The ISA named by MIAOTUI_ISA, or the best one; an unknown or unavailable name is reported
// once and ignored.
Isa DefaultIsa() {
  const char* env = std::getenv("MIAOTUI_ISA");
  if (env == nullptr || *env == '\0') return BestIsa();
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (std::strcmp(env, IsaName(isa)) == 0) {
      if (IsAvailable(isa)) return isa;
      MT_LOG_WARNING("MIAOTUI_ISA=%s is not supported by this CPU; using %s\n", env,
                     IsaName(BestIsa()));
      return BestIsa();
    }
  }
  MT_LOG_WARNING("MIAOTUI_ISA=%s is unknown (scalar|avx2|avx512); using %s\n", env,
                 IsaName(BestIsa()));
  return BestIsa();
}

constexpr int kNoOverride = -1;
std::atomic<int> g_override{kNoOverride};

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

std::vector<Isa> AvailableIsas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (IsAvailable(isa)) out.push_back(isa);
  }
  return out;
}

Isa ActiveIsa() {
  int o = g_override.load(std::memory_order_relaxed);
  if (o != kNoOverride) return static_cast<Isa>(o);
  static const Isa default_isa = DefaultIsa();
  return default_isa;
}

void SetIsaOverride(std::optional<Isa> isa) {
  if (isa.has_value()) CHECK(IsAvailable(*isa));
  g_override.store(isa.has_value() ? static_cast<int>(*isa) : kNoOverride,
                   std::memory_order_relaxed);
}

namespace internal {

const KernelTable& TableFor(Isa isa) {
  CHECK(IsAvailable(isa));
  switch (isa) {
#if defined(MIAOTUI_KERNELS_X86)
    case Isa::kAvx2:
      return Avx2Table();
    case Isa::kAvx512:
      return Avx512Table();
#endif
    default:
      return RefTable();
  }
}

}  // namespace internal
}  // namespace miaotui::kernels
