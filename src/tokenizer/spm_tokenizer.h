// SentencePiece-style BPE (GGUF tokenizer.ggml.model "llama"), as llama.cpp's SPM tokenizer and
// Hugging Face's BPE model with byte fallback behave.
//
// Encoding a text fragment: spaces become U+2581 (with one prepended when the vocabulary asks
// for the SentencePiece dummy prefix and the fragment starts the text or follows a special
// token), the text is split into UTF-8 characters, and adjacent symbols are merged until no
// merge applies. Two merge orders exist:
//   - by score (GGUF): merge the adjacent pair whose concatenation is a vocabulary token with
//     the highest score; ties go to the leftmost pair;
//   - by rank (Hugging Face tokenizer.json, when Vocab::merges is non-empty): merge the adjacent
//     pair listed earliest in the merges; ties go to the leftmost pair.
// Both use a priority queue with lazy invalidation: O(n log n) in the fragment length. When no
// vocabulary token contains a U+2581 right after another character (true of the usual
// SentencePiece vocabularies), no merge can cross a word start, so each word is merged on its own
// - the same result - and repeated words in one call are served from a cache.
// A final symbol that is not a token falls back to its UTF-8 bytes as <0xXX> tokens (or a
// one-character token with that byte), else to the unknown token.
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
#include "tokenizer/special_split.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {

class SpmTokenizer final : public Tokenizer {
 public:
  // Validates `vocab` (see MakeTokenizer) and builds the lookup tables.
  static Result<std::unique_ptr<Tokenizer>> Create(Vocab vocab);
  SpmTokenizer(const SpmTokenizer&) = delete;  // the tables hold views into vocab_
  SpmTokenizer& operator=(const SpmTokenizer&) = delete;

  std::vector<int32_t> Encode(std::string_view text, bool add_special,
                              bool parse_special = false) const override;
  std::string TokenToPiece(int32_t id) const override;

 private:
  explicit SpmTokenizer(Vocab vocab) : Tokenizer(std::move(vocab)), splitter_(vocab_) {}
  Status Init();

  // Tokenizes one raw-text fragment whose spaces are already escaped to U+2581.
  void EncodeByScore(std::string_view text, std::vector<int32_t>* out) const;
  void EncodeByRank(std::string_view text, std::vector<int32_t>* out) const;
  void EncodeFragment(std::string_view text, std::vector<int32_t>* out) const;
  // Appends the tokens for a symbol that is not itself a token: its bytes, or unk.
  void AppendFallback(std::string_view sym, std::vector<int32_t>* out) const;
  int32_t Find(std::string_view piece) const;  // -1 if not a token

  SpecialSplitter splitter_;
  std::unordered_map<std::string_view, int32_t> token_to_id_;  // views into vocab_.tokens
  std::array<int32_t, 256> byte_token_{};  // token for each byte value, -1 if none
  std::vector<int16_t> token_byte_;        // byte value of each BYTE token, -1 otherwise
  MergeTable merges_;  // rank mode only
  bool by_rank_ = false;
  bool split_words_ = false;  // no token has U+2581 after another character
};

}  // namespace miaotui::tokenizer
