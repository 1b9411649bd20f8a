#include "tokenizer/special_split.h"

#include <algorithm>

namespace miaotui::tokenizer {

SpecialSplitter::SpecialSplitter(const Vocab& vocab) {
  for (size_t i = 0; i < vocab.tokens.size() && i < vocab.types.size(); ++i) {
    const TokenType t = vocab.types[i];
    if (vocab.tokens[i].empty()) continue;
    if (t != TokenType::kControl && t != TokenType::kUnknown && t != TokenType::kUserDefined) {
      continue;
    }
    specials_.push_back({static_cast<int32_t>(i), vocab.tokens[i], t == TokenType::kUserDefined});
  }
  std::stable_sort(specials_.begin(), specials_.end(), [](const Special& a, const Special& b) {
    return a.text.size() > b.text.size();
  });
}

std::vector<Fragment> SpecialSplitter::Split(std::string_view text, bool parse_special) const {
  std::vector<Fragment> frags;
  if (text.empty()) return frags;
  frags.push_back({-1, text});
  std::vector<Fragment> next;
  for (const Special& sp : specials_) {
    if (!sp.always && !parse_special) continue;
    // Cheap rejection: most specials never occur in the text.
    if (text.find(sp.text) == std::string_view::npos) continue;
    next.clear();
    for (const Fragment& f : frags) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      std::string_view rest = f.text;
      for (size_t at; (at = rest.find(sp.text)) != std::string_view::npos;) {
        if (at > 0) next.push_back({-1, rest.substr(0, at)});
        next.push_back({sp.id, {}});
        rest.remove_prefix(at + sp.text.size());
      }
      if (!rest.empty()) next.push_back({-1, rest});
    }
    frags.swap(next);
  }
  return frags;
}

}  // namespace miaotui::tokenizer
