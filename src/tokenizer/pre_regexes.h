// The pre-tokenizer regexes that llama.cpp associates with each GGUF tokenizer.ggml.pre name of
// a byte-level BPE vocabulary (model "gpt2"), as published in the models' tokenizer.json files
// (or, where llama.cpp splits the original into several passes, those passes in order).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace miaotui::tokenizer {

struct PreTokenizerInfo {
  std::vector<std::string> regexes;  // applied in order, see RegexSplitter
  bool ignore_merges = false;        // a pre-token that is itself a token is taken whole
  bool add_bos = false;              // llama.cpp's default when add_bos_token is absent
};

// The regexes for `pre` ("" means "default"). Unknown names are Unimplemented, naming the name.
Result<PreTokenizerInfo> PreTokenizerForName(std::string_view pre);

// Every name PreTokenizerForName knows.
std::vector<std::string_view> KnownPreTokenizerNames();

// GPT-2's regex (Hugging Face ByteLevel pre-tokenizer with use_regex).
extern const char kGpt2Regex[];

}  // namespace miaotui::tokenizer
