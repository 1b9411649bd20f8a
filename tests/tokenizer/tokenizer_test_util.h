// Helpers for the tokenizer tests.
#pragma once

#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

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

// A test vector: a text and the ids expected for it.
struct Case {
  std::string text;
  std::vector<int32_t> ids;
};

// The .inp/.out pairs as llama.cpp's test-tokenizer-0 reads them: strings separated by
// "\n__ggml_vocab_test__\n" (the text after the last separator is not a case), one line of
// space-separated ids per string.
inline std::vector<Case> ReadCases(const std::string& base) {
  std::vector<Case> cases;
  const std::string inp = ReadFileToString(base + ".inp");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  size_t start = 0;
  for (size_t at; (at = inp.find(sep, start)) != std::string::npos; start = at + sep.size()) {
    texts.push_back(inp.substr(start, at - start));
  }
  std::ifstream out(base + ".out");
  std::string line;
  for (const std::string& t : texts) {
    if (!std::getline(out, line)) break;
    Case c{t, {}};
    std::istringstream ls(line);
    for (int32_t id; ls >> id;) c.ids.push_back(id);
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace miaotui::tokenizer
