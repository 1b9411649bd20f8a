// Helpers for the tokenizer tests.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

namespace miaotui::tokenizer {

inline std::string ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace miaotui::tokenizer
