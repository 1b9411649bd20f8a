// Helpers for the tokenizer tests.
#pragma once

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "formats/gguf.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {

inline std::string ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Loads the tokenizer of a GGUF under ../shared; nullptr (with a test failure) on error.
inline std::unique_ptr<Tokenizer> LoadSharedGguf(const std::string& rel) {
  auto file = formats::GgufFile::Open(::miaotui::testing::SharedPath(rel));
  if (!file.ok()) {
    ADD_FAILURE() << file.status().message();
    return nullptr;
  }
  auto tok = LoadTokenizerFromGguf(**file);
  if (!tok.ok()) {
    ADD_FAILURE() << tok.status().message();
    return nullptr;
  }
  return std::move(tok).value();
}

}  // namespace miaotui::tokenizer
