// Instruction-set selection for the kernels. Each kernel family has a scalar reference
// (kernels/ref) and per-ISA translation units compiled with their own flags
// (kernels/x86_avx2, kernels/x86_avx512); the best one the CPU supports is chosen at run time.
#pragma once

#include <optional>
#include <vector>

namespace miaotui::kernels {

enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

const char* IsaName(Isa isa);
// Every ISA this CPU can run, scalar first.
std::vector<Isa> AvailableIsas();
// The ISA the dispatchers use: the best available, unless overridden (tests, benchmarks,
// MIAOTUI_ISA=scalar|avx2|avx512 in the environment).
Isa ActiveIsa();
void SetIsaOverride(std::optional<Isa> isa);  // REQUIRES: isa is available

}  // namespace miaotui::kernels
