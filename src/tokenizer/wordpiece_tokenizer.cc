#include "tokenizer/wordpiece_tokenizer.h"

#include <algorithm>

#include "tokenizer/unicode.h"
#include "base/utf8.h"

namespace miaotui::tokenizer {

Result<std::unique_ptr<Tokenizer>> WordPieceTokenizer::Create(Vocab vocab) {
  std::unique_ptr<WordPieceTokenizer> tok(new WordPieceTokenizer(std::move(vocab)));
  MT_RETURN_IF_ERROR(tok->Init());
  return std::unique_ptr<Tokenizer>(std::move(tok));
}

Status WordPieceTokenizer::Init() {
  const size_t n = vocab_.tokens.size();
  token_to_id_.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    token_to_id_.try_emplace(vocab_.tokens[i], static_cast<int32_t>(i));  // first one wins
    max_token_bytes_ = std::max(max_token_bytes_, vocab_.tokens[i].size());
  }
  if (vocab_.unk_id < 0) return InvalidArgument("WordPiece vocabulary has no unknown token");
  if (vocab_.wordpiece.max_chars_per_word <= 0) {
    return InvalidArgument("WordPiece max_input_chars_per_word must be positive");
  }
  return Status::Ok();
}

int32_t WordPieceTokenizer::Find(std::string_view piece) const {
  auto it = token_to_id_.find(piece);
  return it == token_to_id_.end() ? -1 : it->second;
}

std::vector<std::string> WordPieceTokenizer::BasicTokenize(std::string_view text) const {
  const WordPieceOptions& o = vocab_.wordpiece;
  // Normalizer: cleaning, CJK padding, accents, case (Hugging Face's BertNormalizer order).
  std::string s;
  s.reserve(text.size() + 8);
  for (char32_t cp : DecodeUtf8(text)) {
    if (o.clean_text && (cp == 0 || cp == 0xFFFD || IsBertControl(cp))) continue;
    if (o.clean_text && IsBertWhitespace(cp)) {
      s.push_back(' ');
    } else if (o.split_cjk && IsCjkIdeograph(cp)) {
      s.push_back(' ');
      AppendUtf8(cp, &s);
      s.push_back(' ');
    } else {
      AppendUtf8(cp, &s);
    }
  }
  if (o.strip_accents) {
    std::string stripped;
    for (char32_t cp : DecodeUtf8(Normalize(s, NormalForm::kNfd))) {
      if (!IsNonspacingMark(cp)) AppendUtf8(cp, &stripped);
    }
    s = std::move(stripped);
  }
  if (o.lowercase) s = Lowercase(s);
  // Pre-tokenizer: whitespace separates, punctuation stands alone.
  std::vector<std::string> words(1);
  for (char32_t cp : DecodeUtf8(s)) {
    if (IsBertWhitespace(cp)) {
      if (!words.back().empty()) words.emplace_back();
    } else if (IsBertPunctuation(cp)) {
      if (!words.back().empty()) words.emplace_back();
      AppendUtf8(cp, &words.back());
      words.emplace_back();
    } else {
      AppendUtf8(cp, &words.back());
    }
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

void WordPieceTokenizer::EncodeWord(const std::string& word, std::vector<int32_t>* out) const {
  const WordPieceOptions& o = vocab_.wordpiece;
  std::vector<size_t> bounds;  // character boundaries, including 0 and word.size()
  for (size_t pos = 0; pos < word.size();) {
    bounds.push_back(pos);
    const size_t len = Utf8SequenceLength(word, pos);
    pos += len == 0 ? 1 : len;
  }
  bounds.push_back(word.size());
  const size_t n_chars = bounds.size() - 1;
  if (n_chars > static_cast<size_t>(o.max_chars_per_word)) {
    out->push_back(vocab_.unk_id);
    return;
  }
  const size_t first = out->size();
  std::string key;
  for (size_t b = 0; b < n_chars;) {
    const std::string& prefix = b == 0 ? o.word_prefix : o.continuing_prefix;
    int32_t found = -1;
    size_t e = n_chars;
    for (; e > b; --e) {
      const size_t len = bounds[e] - bounds[b];
      if (len + prefix.size() > max_token_bytes_) continue;
      key.assign(prefix);
      key.append(word, bounds[b], len);
      found = Find(key);
      if (found >= 0) break;
    }
    if (found < 0) {
      out->resize(first);
      out->push_back(vocab_.unk_id);
      return;
    }
    out->push_back(found);
    b = e;
  }
}

std::vector<int32_t> WordPieceTokenizer::Encode(std::string_view text, bool add_special,
                                                bool parse_special) const {
  const std::string clean = SanitizeUtf8(text);
  std::vector<int32_t> out;
  if (add_special && vocab_.cls_id >= 0) out.push_back(vocab_.cls_id);
  for (const Fragment& f : splitter_.Split(clean, parse_special)) {
    if (f.token >= 0) {
      out.push_back(f.token);
      continue;
    }
    for (const std::string& w : BasicTokenize(f.text)) EncodeWord(w, &out);
  }
  if (add_special && vocab_.sep_id >= 0) out.push_back(vocab_.sep_id);
  return out;
}

std::string WordPieceTokenizer::TokenToPiece(int32_t id) const {
  if (id < 0 || id >= n_vocab()) return {};
  const std::string& t = vocab_.tokens[id];
  if (vocab_.types[id] != TokenType::kNormal) return t;
  const WordPieceOptions& o = vocab_.wordpiece;
  if (!o.word_prefix.empty()) {
    if (t.compare(0, o.word_prefix.size(), o.word_prefix) == 0) {
      return " " + t.substr(o.word_prefix.size());
    }
    return t;
  }
  if (!o.continuing_prefix.empty() &&
      t.compare(0, o.continuing_prefix.size(), o.continuing_prefix) == 0) {
    return t.substr(o.continuing_prefix.size());
  }
  return " " + t;
}

}  // namespace miaotui::tokenizer
