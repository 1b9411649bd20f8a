// Tokenizer: text <-> token ids for a model's vocabulary.
//
// This is the interface every tokenizer kind implements: SentencePiece-style BPE (model "llama"),
// byte-level BPE (model "gpt2": GPT-2, Llama 3, Qwen2, StarCoder, ...) and WordPiece (model
// "bert"). Instances are immutable after loading and safe to use from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tokenizer/regex_split.h"

namespace miaotui::formats {
class GgufFile;
}

namespace miaotui::tokenizer {

// GGUF token types (tokenizer.ggml.token_type), facts of the format.
enum class TokenType : int32_t {
  kUndefined = 0, kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5,
  kByte = 6,
};

// One step of a Hugging Face normalizer, applied to each raw-text fragment before
// pre-tokenizing (byte-level BPE).
struct NormalizerStep {
  enum class Kind { kNfc, kNfd, kNfkc, kNfkd, kLowercase, kReplace, kPrepend, kStripAccents };
  Kind kind = Kind::kNfc;
  std::string pattern;  // kReplace: the literal text to replace
  std::string content;  // kReplace: its replacement; kPrepend: the prefix
};

// BERT's basic tokenizer and WordPiece settings (model "bert").
struct WordPieceOptions {
  bool lowercase = true;
  bool strip_accents = true;  // NFD, then drop nonspacing marks (Mn)
  bool split_cjk = true;      // every CJK ideograph is a word of its own
  bool clean_text = true;     // drop NUL, U+FFFD and control characters
  // How vocabulary entries are spelled: a word-initial piece is word_prefix + text, a
  // continuation is continuing_prefix + text. Hugging Face: "" and "##"; llama.cpp's GGUF
  // ("phantom space" renaming): "\u2581" and "".
  std::string word_prefix;
  std::string continuing_prefix = "##";
  int max_chars_per_word = 100;  // longer words become the unknown token
};

// The vocabulary as GGUF describes it (tokenizer.ggml.*).
struct Vocab {
  std::string model;                 // tokenizer.ggml.model: "llama" (SentencePiece), ...
  std::string pre;                   // tokenizer.ggml.pre, if any
  std::vector<std::string> tokens;   // piece text; SentencePiece uses U+2581 for space
  std::vector<float> scores;         // merge priority for SentencePiece BPE (higher merges first)
  std::vector<TokenType> types;
  // Byte-level BPE merges "a b". Empty for SentencePiece from GGUF; for a SentencePiece vocabulary
  // loaded from a Hugging Face tokenizer.json they are its merges in rank order, and when present
  // they (not the scores) decide the merge order, exactly as Hugging Face's BPE model does.
  std::vector<std::string> merges;
  int32_t bos_id = -1, eos_id = -1, unk_id = -1, pad_id = -1, eot_id = -1;
  int32_t eom_id = -1;               // tokenizer.ggml.eom_token_id (end of message), if any
  bool add_bos = true, add_eos = false;
  bool add_space_prefix = true;      // SentencePiece "dummy prefix"

  // Byte-level BPE (model "gpt2"). Without use_pre_splits the pre-tokenizer regexes are those
  // llama.cpp gives the name `pre`; with it (Hugging Face), pre_splits as they are (maybe none).
  bool use_pre_splits = false;
  std::vector<SplitRule> pre_splits;
  bool byte_level_prefix_space = false;  // a space is put before each fragment not starting so
  bool ignore_merges = false;  // a pre-token that is itself a token is not merged from bytes
  std::vector<NormalizerStep> normalizer;
  // WordPiece (model "bert"): add_special puts cls_id first and sep_id last.
  WordPieceOptions wordpiece;
  int32_t cls_id = -1, sep_id = -1, mask_id = -1;
  // More end-of-generation ids (e.g. generation_config.json's eos_token_id list).
  std::vector<int32_t> eog_ids;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Tokenizes `text`. With add_special, BOS/EOS are added as the vocabulary says (add_bos /
  // add_eos). With parse_special, control-token strings such as "<s>" in the text become their
  // ids; otherwise they are ordinary text. As in llama.cpp, user-defined tokens are always
  // matched (parse_special or not); the longest special strings are split out first.
  // Ill-formed UTF-8 in `text` is replaced by U+FFFD (one per maximal ill-formed subpart) before
  // tokenizing, so the ids always decode to valid UTF-8 text.
  virtual std::vector<int32_t> Encode(std::string_view text, bool add_special,
                                      bool parse_special = false) const = 0;
  // The exact bytes of one token as the model emits it: byte tokens give their byte (possibly an
  // incomplete UTF-8 sequence), U+2581 becomes a space, control tokens render as their text.
  virtual std::string TokenToPiece(int32_t id) const = 0;
  // Concatenated pieces. With skip_special, control tokens are omitted. The leading space that
  // the SentencePiece dummy prefix added is NOT stripped (callers decide).
  std::string Decode(const std::vector<int32_t>& ids, bool skip_special = false) const;

  const Vocab& vocab() const { return vocab_; }
  int32_t n_vocab() const { return static_cast<int32_t>(vocab_.tokens.size()); }
  int32_t bos_id() const { return vocab_.bos_id; }
  int32_t eos_id() const { return vocab_.eos_id; }
  bool IsControl(int32_t id) const;
  // True for EOS, EOT, EOM and any other end-of-generation id the model declares. Out-of-range
  // ids are simply false (never a crash), as are all the queries here.
  bool IsEndOfGeneration(int32_t id) const;

 protected:
  explicit Tokenizer(Vocab vocab) : vocab_(std::move(vocab)) {}
  Vocab vocab_;
};

// Loads the tokenizer described by a GGUF file's tokenizer.ggml.* metadata (a vocab-only GGUF
// with no tensors works). Errors name the file and the key.
Result<std::unique_ptr<Tokenizer>> LoadTokenizerFromGguf(const formats::GgufFile& gguf);
// Loads from a Hugging Face folder: tokenizer.json (plus tokenizer_config.json for BOS/EOS
// flags). Errors name the file and the field.
Result<std::unique_ptr<Tokenizer>> LoadTokenizerFromHfFolder(const std::string& dir);
// Loads BERT's vocab.txt (one token per line, id = line number) as a WordPiece tokenizer with
// the usual uncased settings and [UNK] [CLS] [SEP] [PAD] [MASK] as special tokens.
Result<std::unique_ptr<Tokenizer>> LoadWordPieceVocabTxt(const std::string& path,
                                                         bool lowercase = true);
// Builds a tokenizer directly from a vocabulary (e.g. one generated by `miaotui synth`).
Result<std::unique_ptr<Tokenizer>> MakeTokenizer(Vocab vocab);

}  // namespace miaotui::tokenizer
