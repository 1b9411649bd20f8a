// Byte-level BPE (GGUF tokenizer.ggml.model "gpt2"; Hugging Face BPE with a ByteLevel
// pre-tokenizer): GPT-2, Llama 3, Qwen2, StarCoder, DeepSeek, Falcon, MPT, ...
//
// Encoding: special tokens are split out first (see SpecialSplitter); each raw fragment is
// normalized (Hugging Face normalizer steps, if any), cut into pre-tokens by the pre-tokenizer
// regexes (RegexSplitter), and each pre-token's UTF-8 bytes are written in GPT-2's byte-level
// alphabet and merged: the adjacent pair with the lowest merge rank first, leftmost on ties
// (MergeTable, O(n log n) per pre-token). A byte whose character is not a token is dropped
// (llama.cpp's behaviour; every byte-level vocabulary in use has all 256).
// Decoding maps byte-level characters back to bytes; added and control tokens are plain text.
//
// Immutable after Create; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "tokenizer/rank_merge.h"
#include "tokenizer/regex_split.h"
#include "tokenizer/special_split.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {

class BpeTokenizer final : public Tokenizer {
 public:
  // Validates the merges and compiles the pre-tokenizer (errors name the merge or the regex).
  static Result<std::unique_ptr<Tokenizer>> Create(Vocab vocab);
  BpeTokenizer(const BpeTokenizer&) = delete;  // the tables hold views into vocab_
  BpeTokenizer& operator=(const BpeTokenizer&) = delete;

  std::vector<int32_t> Encode(std::string_view text, bool add_special,
                              bool parse_special = false) const override;
  std::string TokenToPiece(int32_t id) const override;

 private:
  explicit BpeTokenizer(Vocab vocab) : Tokenizer(std::move(vocab)), splitter_(vocab_) {}
  Status Init();
  std::string NormalizeFragment(std::string_view text) const;
  // Encodes one pre-token (raw bytes); `scratch` is reused between calls.
  void EncodeWord(std::string_view word, std::string* scratch, std::vector<int32_t>* out) const;
  int32_t Find(std::string_view piece) const;  // -1 if not a token

  SpecialSplitter splitter_;
  std::unique_ptr<RegexSplitter> regex_;
  std::unordered_map<std::string_view, int32_t> token_to_id_;  // views into vocab_.tokens
  MergeTable merges_;
  std::vector<std::string> pieces_;      // the bytes of each token
  std::array<int32_t, 256> byte_ids_{};  // token of each byte's character, -1 if none
};

}  // namespace miaotui::tokenizer
