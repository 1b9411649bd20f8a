// Helpers shared by the compress tests.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

namespace miaotui::testing {

// The whole file as bytes ("" when it cannot be read).
inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace miaotui::testing
