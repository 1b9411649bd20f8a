// CHECK: broken invariants (programming errors), always on; DCHECK: debug builds only, for hot loops.
// Never use these for anything a user, a file or a request can get wrong: return a Status.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace miaotui::internal {
[[noreturn]] inline void CheckFailed(const char* file, int line, const char* expr) {
  std::fprintf(stderr, "miaotui: internal error: CHECK failed at %s:%d: %s\n", file, line, expr);
  std::abort();
}
}  // namespace miaotui::internal

#define CHECK(cond) \
  ((cond) ? (void)0 : ::miaotui::internal::CheckFailed(__FILE__, __LINE__, #cond))

#ifdef NDEBUG
#define DCHECK(cond) ((void)0)
#else
#define DCHECK(cond) CHECK(cond)
#endif
