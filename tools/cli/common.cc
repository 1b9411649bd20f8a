#include <cstdio>

#include "commands.h"

namespace miaotui::cli {

int Fail(const Status& status) {
  std::fprintf(stderr, "miaotui: error: %s\n", status.message().c_str());
  return 1;
}

}  // namespace miaotui::cli
