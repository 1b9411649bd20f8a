#include "tokenizer/synth_vocab.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace miaotui::tokenizer {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space
constexpr size_t kMaxFillerBytes = 24;

constexpr std::string_view kPairs[] = {
    "th", "he", "in", "er", "an", "re", "on", "at", "en", "nd", "ti", "es", "or", "te", "of",
    "ed", "is", "it", "al", "ar", "st", "to", "nt", "ng", "se", "ha", "as", "ou", "io", "le",
    "ve", "co", "me", "de", "hi", "ri", "ro", "ic", "ne", "ea", "ra", "ce", "li", "ch", "ll",
    "be", "ma", "si", "om", "ur", "ly", "ay", "ee", "oo", "ow", "ai", "ut", "wh", "sh", "ck"};

constexpr std::string_view kSuffixes[] = {"ing", "ed", "er", "ly", "s", "es", "tion", "ment",
                                          "ness", "able"};

constexpr std::string_view kWords[] = {
    "the", "and", "to", "of", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on",
    "are", "with", "as", "I", "his", "they", "be", "at", "one", "have", "this", "from", "or",
    "had", "by", "not", "word", "but", "what", "some", "we", "can", "out", "other", "were",
    "all", "there", "when", "up", "use", "your", "how", "said", "an", "each", "she", "which",
    "do", "their", "time", "if", "will", "way", "about", "many", "then", "them", "write",
    "would", "like", "so", "these", "her", "long", "make", "thing", "see", "him", "two", "has",
    "look", "more", "day", "could", "go", "come", "did", "number", "sound", "no", "most",
    "people", "my", "over", "know", "water", "than", "call", "first", "who", "may", "down",
    "side", "been", "now", "find", "any", "new", "work", "part", "take", "get", "place", "made",
    "live", "where", "after", "back", "little", "only", "round", "man", "year", "came", "show",
    "every", "good", "me", "give", "our", "under", "name", "very", "through", "just", "form",
    "great", "think", "say", "help", "low", "line", "before", "turn", "cause", "same", "mean",
    "move", "right", "boy", "old", "too", "does", "tell", "sentence", "set", "three", "want",
    "air", "well", "also", "play", "small", "end", "put", "home", "read", "hand", "port",
    "large", "spell", "add", "even", "land", "here", "must", "big", "high", "such", "follow",
    "act", "why", "ask", "men", "change", "went", "light", "kind", "off", "need", "house",
    "picture", "try", "us", "again", "animal", "point", "mother", "world", "near", "build",
    "self", "earth", "father", "head", "stand", "own", "page", "should", "country", "found",
    "answer", "school", "grow", "study", "still", "learn", "plant", "cover", "food", "sun",
    "four", "thought", "let", "keep", "eye", "never", "last", "door", "between", "city",
    "tree", "cross", "since", "hard", "start", "might", "story", "saw", "far", "sea", "draw",
    "left", "late", "run", "while", "press", "close", "night", "real", "life", "few", "stop",
    "once", "upon", "girl", "dog", "cat", "park", "ball", "happy", "friend", "named", "loved",
    "wanted", "saw", "red", "sad", "fun", "toy", "bird", "tree", "mom", "dad", "Lily", "Tom",
    "Ben", "Sue", "Tim", "very", "smiled", "played", "together", "ing", "ed", "er", "ly", "s",
    "es", "tion", "ment", "ness", "able"};

class Builder {
 public:
  explicit Builder(Vocab* v) : v_(v) {}

  // Adds `piece` (NORMAL, next score) unless present. False when the vocabulary is full.
  bool Add(const std::string& piece) {
    if (Full()) return false;
    if (piece.empty() || !seen_.insert(piece).second) return true;
    v_->tokens.push_back(piece);
    v_->scores.push_back(-static_cast<float>(next_rank_++));
    v_->types.push_back(TokenType::kNormal);
    return true;
  }
  // Adds every prefix of `word` from its first two characters on (each prefix is the previous
  // prefix plus one character, so every piece splits into two pieces already present).
  // REQUIRES: every character of `word` is already a piece.
  bool AddWithPrefixes(const std::string& word, size_t first_char_len) {
    for (size_t n = first_char_len + 1; n <= word.size(); ++n) {
      if (!Add(word.substr(0, n))) return false;
    }
    return true;
  }
  bool Full() const { return v_->tokens.size() >= target_; }
  void set_target(size_t n) { target_ = n; }
  size_t size() const { return v_->tokens.size(); }

 private:
  Vocab* v_;
  std::unordered_set<std::string> seen_;
  size_t target_ = 0;
  int64_t next_rank_ = 0;
};

}  // namespace

void AppendByteTokens(Vocab* v) {
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    v->tokens.push_back(name);
    v->types.push_back(TokenType::kByte);
    v->scores.push_back(0);
  }
}

Vocab GenerateSynthVocab(int32_t n_vocab) {
  n_vocab = std::clamp(n_vocab, kMinSynthVocab, int32_t{1} << 24);
  Vocab v;
  v.model = "llama";
  v.bos_id = 1;
  v.eos_id = 2;
  v.unk_id = 0;
  v.add_bos = true;
  v.add_eos = false;
  v.add_space_prefix = true;
  v.tokens = {"<unk>", "<s>", "</s>"};
  v.types = {TokenType::kUnknown, TokenType::kControl, TokenType::kControl};
  v.scores = {0, 0, 0};
  AppendByteTokens(&v);
  Builder b(&v);
  b.set_target(static_cast<size_t>(n_vocab));
  const std::string space(kSpace);

  // Single characters: the space marker, letters, digits, printable ASCII punctuation.
  b.Add(space);
  for (char c = 'a'; c <= 'z'; ++c) b.Add(std::string(1, c));
  for (char c = 'A'; c <= 'Z'; ++c) b.Add(std::string(1, c));
  for (char c = '0'; c <= '9'; ++c) b.Add(std::string(1, c));
  for (char c = '!'; c <= '~'; ++c) {
    if (!std::isalnum(static_cast<unsigned char>(c))) b.Add(std::string(1, c));
  }
  // kMinSynthVocab ends here.
  for (char c = 'a'; c <= 'z'; ++c) b.Add(space + c);
  for (char c = 'A'; c <= 'Z'; ++c) b.Add(space + c);
  for (std::string_view p : kPairs) b.Add(std::string(p));
  for (std::string_view w : kWords) {
    b.AddWithPrefixes(space + std::string(w), space.size());
    b.AddWithPrefixes(std::string(w), 1);
  }
  for (std::string_view w : kWords) {
    std::string cap(w);
    cap[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(cap[0])));
    b.AddWithPrefixes(space + cap, space.size());
  }

  // Filler: join two earlier pieces - any piece on the left, a lowercase letter, letter pair or
  // suffix on the right - in rounds over a growing pool, until the count is exact.
  std::vector<std::string> rights;
  for (char c = 'a'; c <= 'z'; ++c) rights.emplace_back(1, c);
  for (std::string_view p : kPairs) rights.emplace_back(p);
  for (std::string_view w : kSuffixes) rights.emplace_back(w);
  size_t pool_begin = 3 + 256;
  while (!b.Full()) {
    const size_t before = b.size();
    for (size_t i = pool_begin; i < before && !b.Full(); ++i) {
      const std::string left = v.tokens[i];  // a copy: Add may reallocate v.tokens
      for (const std::string& right : rights) {
        if (left.size() + right.size() > kMaxFillerBytes) continue;
        if (!b.Add(left + right)) break;
      }
    }
    if (b.size() == before) {
      // Nothing new within the length limit (not expected below 2^24): numbered pieces, each
      // "▁" + a shorter number's piece + one digit, so still reachable.
      for (int64_t k = 0; !b.Full(); ++k) b.AddWithPrefixes(space + std::to_string(k), 3);
    }
    pool_begin = before;
  }
  return v;
}

}  // namespace miaotui::tokenizer
