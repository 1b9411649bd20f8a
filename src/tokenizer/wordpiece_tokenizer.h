// WordPiece (BERT; GGUF tokenizer.ggml.model "bert", Hugging Face model "WordPiece", vocab.txt).
//
// Encoding: special tokens are split out first (see SpecialSplitter). Each raw fragment goes
// through BERT's basic tokenizer: NUL, U+FFFD and control characters are dropped, whitespace
// separates words, every CJK ideograph and every punctuation character (ASCII punctuation and
// symbols, Unicode P*) is a word of its own, accents are stripped (NFD, then nonspacing marks
// removed) and text is lower-cased, as WordPieceOptions say. Each word is then cut greedily,
// longest vocabulary match first, from the left: the first piece is spelled word_prefix + text,
// later ones continuing_prefix + text. A word with more than max_chars_per_word characters, or
// with a position where nothing matches, becomes the single unknown token.
// With add_special the result is [CLS] ... [SEP] (Vocab::cls_id / sep_id).
//
// Pieces: word-initial tokens decode with a leading space, continuations without their prefix.
// Immutable after Create; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "tokenizer/special_split.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {

class WordPieceTokenizer final : public Tokenizer {
 public:
  static Result<std::unique_ptr<Tokenizer>> Create(Vocab vocab);
  WordPieceTokenizer(const WordPieceTokenizer&) = delete;  // the tables hold views into vocab_
  WordPieceTokenizer& operator=(const WordPieceTokenizer&) = delete;

  std::vector<int32_t> Encode(std::string_view text, bool add_special,
                              bool parse_special = false) const override;
  std::string TokenToPiece(int32_t id) const override;

  // BERT's basic tokenizer alone: the words of `text` (valid UTF-8), normalized.
  std::vector<std::string> BasicTokenize(std::string_view text) const;

 private:
  explicit WordPieceTokenizer(Vocab vocab) : Tokenizer(std::move(vocab)), splitter_(vocab_) {}
  Status Init();
  void EncodeWord(const std::string& word, std::vector<int32_t>* out) const;
  int32_t Find(std::string_view piece) const;

  SpecialSplitter splitter_;
  std::unordered_map<std::string_view, int32_t> token_to_id_;  // views into vocab_.tokens
  size_t max_token_bytes_ = 0;
};

}  // namespace miaotui::tokenizer
