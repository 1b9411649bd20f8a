#include <sched.h>

#include <algorithm>
#include <cstdio>

#include "base/cpu_features.h"
#include "commands.h"

namespace miaotui::cli {

int Fail(const Status& status) {
  std::fprintf(stderr, "miaotui: error: %s\n", status.message().c_str());
  return 1;
}

int ResolveThreads(int requested) {
  int cpus = HardwareConcurrency();
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) cpus = std::max(1, CPU_COUNT(&set));
  if (requested <= 0) return cpus;
  if (requested <= cpus) return requested;
  static bool said = false;
  if (!said) {
    std::fprintf(stderr,
                 "miaotui: note: running %d threads, not %d: this process may use %d CPUs, and "
                 "more threads than CPUs only wait for each other\n",
                 cpus, requested, cpus);
    said = true;
  }
  return cpus;
}

}  // namespace miaotui::cli
