// Splitting text on special-token strings, as llama.cpp does before any tokenizer runs.
//
// The special tokens are tried one at a time, longest text first (ties: lower id first); each
// splits every remaining raw-text fragment at its leftmost non-overlapping occurrences. This is
// llama.cpp's order, which differs from leftmost-longest matching only for overlapping specials.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {

// A piece of the input: raw text (token < 0) or one special token.
struct Fragment {
  int32_t token = -1;
  std::string_view text;  // raw text (a view into the input); empty for a token
};

class SpecialSplitter {
 public:
  // Collects the CONTROL, UNKNOWN and USER_DEFINED tokens of `vocab` with non-empty text.
  explicit SpecialSplitter(const Vocab& vocab);

  // Splits `text`. USER_DEFINED tokens always split; CONTROL and UNKNOWN only with
  // parse_special. The returned views point into `text`. No empty raw fragments are returned.
  std::vector<Fragment> Split(std::string_view text, bool parse_special) const;

 private:
  struct Special {
    int32_t id;
    std::string_view text;  // points into the Vocab the splitter was built from
    bool always;            // USER_DEFINED: split even without parse_special
  };
  std::vector<Special> specials_;  // longest first
};

}  // namespace miaotui::tokenizer
