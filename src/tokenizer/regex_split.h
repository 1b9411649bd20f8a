// Pre-tokenizer regex splitting with PCRE2 (UTF + UCP, so \p{L}, \s, ... follow Unicode; JIT
// compiled when the library supports it).
//
// A RegexSplitter holds an ordered list of rules. Splitting starts from the whole text as one
// piece; each rule in turn is matched against every current piece on its own (the piece is the
// whole subject: ^, $ and lookarounds do not see neighbouring pieces) and cuts it into its
// matches and the non-empty stretches between them, all kept in order (Hugging Face's
// "Isolated" behaviour, and llama.cpp's), except that a rule with `remove` drops its matches.
// Empty matches cut nothing. `$` matches only at the very end of a piece.
//
// Immutable after Create; Split is thread-safe. A match error inside PCRE2 (resource limits on
// pathological input) never fails the split: the rest of that piece stays one piece.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace miaotui::tokenizer {

struct SplitRule {
  std::string pattern;
  bool literal = false;  // the pattern is a plain string, not a regex
  bool remove = false;   // drop the matches, keep the text between them
};

class RegexSplitter {
 public:
  // Compiles every rule; a bad pattern is an InvalidArgument naming it and the PCRE2 error.
  static Result<std::unique_ptr<RegexSplitter>> Create(const std::vector<SplitRule>& rules);
  ~RegexSplitter();
  RegexSplitter(const RegexSplitter&) = delete;
  RegexSplitter& operator=(const RegexSplitter&) = delete;

  // Appends the pieces of `text` (valid UTF-8) to *out as views into `text`.
  void Split(std::string_view text, std::vector<std::string_view>* out) const;
  bool empty() const { return rules_.empty(); }

 private:
  struct Compiled;
  RegexSplitter() = default;
  std::vector<Compiled> rules_;
};

}  // namespace miaotui::tokenizer
