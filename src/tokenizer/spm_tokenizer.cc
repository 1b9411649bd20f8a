#include "tokenizer/spm_tokenizer.h"

#include <queue>
#include <utility>

#include "base/utf8.h"

namespace miaotui::tokenizer {
namespace {

constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

// Appends `text` with every ' ' replaced by U+2581.
void AppendEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    if (c == ' ') {
      out->append(kSpaceMarker);
    } else {
      out->push_back(c);
    }
  }
}

std::string UnescapeSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, kSpaceMarker.size(), kSpaceMarker) == 0) {
      out.push_back(' ');
      i += kSpaceMarker.size();
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The byte of a "<0xXX>" piece, or -1.
int ParseByteToken(std::string_view t) {
  if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>') return -1;
  const int hi = HexDigit(t[3]), lo = HexDigit(t[4]);
  if (hi < 0 || lo < 0) return -1;
  return hi * 16 + lo;
}

// A symbol of the merge loop: a byte range of the fragment in a doubly linked list. A symbol
// that was merged into its left neighbour has n == 0.
struct Symbol {
  int32_t prev, next;
  uint32_t start, n;
  int32_t id;  // rank mode: the symbol's token id
};

// Splits `text` (valid UTF-8) into one symbol per character.
std::vector<Symbol> SplitChars(std::string_view text) {
  std::vector<Symbol> syms;
  syms.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    size_t len = Utf8SequenceLength(text, pos);
    if (len == 0) len = 1;  // unreachable for sanitized text; keeps progress guaranteed
    const auto i = static_cast<int32_t>(syms.size());
    syms.push_back({i - 1, i + 1, static_cast<uint32_t>(pos), static_cast<uint32_t>(len), -1});
    pos += len;
  }
  if (!syms.empty()) syms.back().next = -1;
  return syms;
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> SpmTokenizer::Create(Vocab vocab) {
  std::unique_ptr<SpmTokenizer> tok(new SpmTokenizer(std::move(vocab)));
  MT_RETURN_IF_ERROR(tok->Init());
  return std::unique_ptr<Tokenizer>(std::move(tok));
}

Status SpmTokenizer::Init() {
  const size_t n = vocab_.tokens.size();
  token_to_id_.reserve(n * 2);
  byte_token_.fill(-1);
  token_byte_.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    const std::string& t = vocab_.tokens[i];
    token_to_id_[t] = static_cast<int32_t>(i);  // later duplicates win, as in llama.cpp
    if (vocab_.types[i] == TokenType::kByte) {
      const int b = ParseByteToken(t);
      if (b < 0) {
        return InvalidArgument("token " + std::to_string(i) + " '" + t +
                               "' has type BYTE but is not of the form <0xXX>");
      }
      token_byte_[i] = static_cast<int16_t>(b);
    }
  }
  for (int b = 0; b < 256; ++b) {
    static const char* kHex = "0123456789ABCDEF";
    const char piece[6] = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
    int32_t id = Find(std::string_view(piece, 6));
    if (id < 0) {
      const char c = static_cast<char>(b);
      id = Find(std::string_view(&c, 1));
    }
    byte_token_[b] = id;
  }
  split_words_ = true;
  for (const std::string& t : vocab_.tokens) {
    for (size_t at = t.find(kSpaceMarker, 1); at != std::string::npos;
         at = t.find(kSpaceMarker, at + 1)) {
      const bool after_marker = at >= 3 && t.compare(at - 3, 3, kSpaceMarker) == 0;
      if (!after_marker) split_words_ = false;
    }
  }
  by_rank_ = !vocab_.merges.empty();
  merges_.Reserve(vocab_.merges.size() * 2);
  for (size_t r = 0; r < vocab_.merges.size(); ++r) {
    const std::string& m = vocab_.merges[r];
    const size_t sp = m.find(' ', 1);
    const std::string where = "merge " + std::to_string(r) + " '" + m + "'";
    if (sp == std::string::npos || sp + 1 >= m.size()) {
      return InvalidArgument(where + " is not of the form 'left right'");
    }
    const std::string_view left(m.data(), sp), right(m.data() + sp + 1, m.size() - sp - 1);
    const int32_t a = Find(left), b = Find(right);
    const int32_t c = Find(std::string(left) + std::string(right));
    if (a < 0 || b < 0 || c < 0) {
      return InvalidArgument(where + ": '" +
                             std::string(a < 0 ? left : b < 0 ? right : std::string_view(m)) +
                             "' is not in the vocabulary");
    }
    merges_.Add(a, b, c, static_cast<int32_t>(r));  // the first merge of a pair wins
  }
  return Status::Ok();
}

int32_t SpmTokenizer::Find(std::string_view piece) const {
  auto it = token_to_id_.find(piece);
  return it == token_to_id_.end() ? -1 : it->second;
}

void SpmTokenizer::AppendFallback(std::string_view sym, std::vector<int32_t>* out) const {
  for (char c : sym) {
    const int32_t id = byte_token_[static_cast<uint8_t>(c)];
    if (id >= 0) {
      out->push_back(id);
    } else if (vocab_.unk_id >= 0) {
      out->push_back(vocab_.unk_id);
    }
  }
}

void SpmTokenizer::EncodeByScore(std::string_view text, std::vector<int32_t>* out) const {
  std::vector<Symbol> syms = SplitChars(text);
  if (syms.empty()) return;
  struct Bigram {
    int32_t left, right;
    float score;
    uint32_t size;
  };
  // Highest score first; on equal scores the leftmost pair.
  auto worse = [](const Bigram& l, const Bigram& r) {
    return l.score < r.score || (l.score == r.score && l.left > r.left);
  };
  std::priority_queue<Bigram, std::vector<Bigram>, decltype(worse)> queue(worse);
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = syms[left];
    const Symbol& r = syms[right];
    const int32_t id = Find(text.substr(l.start, l.n + r.n));  // l and r are adjacent bytes
    if (id < 0) return;
    queue.push({left, right, vocab_.scores[id], l.n + r.n});
  };
  for (size_t i = 1; i < syms.size(); ++i) try_add(static_cast<int32_t>(i - 1), i);
  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Symbol& l = syms[b.left];
    Symbol& r = syms[b.right];
    // Stale entry: one side was merged away or grew since the pair was queued.
    if (l.n == 0 || r.n == 0 || l.n + r.n != b.size) continue;
    l.n += r.n;
    r.n = 0;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }
  for (int32_t i = 0; i >= 0; i = syms[i].next) {
    const std::string_view piece = text.substr(syms[i].start, syms[i].n);
    const int32_t id = Find(piece);
    if (id >= 0) {
      out->push_back(id);
    } else {
      AppendFallback(piece, out);
    }
  }
}

void SpmTokenizer::EncodeByRank(std::string_view text, std::vector<int32_t>* out) const {
  // Initial symbols: one per character, or one per byte for characters that are not tokens
  // (consecutive unknowns fuse into one, as with fuse_unk).
  std::vector<MergeSymbol> syms;
  syms.reserve(text.size());
  auto push = [&](int32_t id, size_t start, size_t n) {
    syms.push_back({-1, -1, static_cast<uint32_t>(start), static_cast<uint32_t>(n), id});
  };
  for (size_t pos = 0; pos < text.size();) {
    size_t len = Utf8SequenceLength(text, pos);
    if (len == 0) len = 1;
    const int32_t id = Find(text.substr(pos, len));
    if (id >= 0) {
      push(id, pos, len);
    } else {
      bool all_bytes = true;
      for (size_t k = 0; k < len; ++k) {
        const int32_t bt = byte_token_[static_cast<uint8_t>(text[pos + k])];
        if (bt < 0 || token_byte_[bt] < 0) all_bytes = false;
      }
      if (all_bytes) {
        for (size_t k = 0; k < len; ++k) {
          push(byte_token_[static_cast<uint8_t>(text[pos + k])], pos + k, 1);
        }
      } else if (vocab_.unk_id >= 0) {
        if (!syms.empty() && syms.back().id == vocab_.unk_id) {
          syms.back().n += static_cast<uint32_t>(len);
        } else {
          push(vocab_.unk_id, pos, len);
        }
      }
    }
    pos += len;
  }
  if (syms.empty()) return;
  merges_.Apply(&syms);
  for (int32_t i = 0; i >= 0; i = syms[i].next) out->push_back(syms[i].id);
}

void SpmTokenizer::EncodeFragment(std::string_view text, std::vector<int32_t>* out) const {
  auto encode = [&](std::string_view piece) {
    if (by_rank_) {
      EncodeByRank(piece, out);
    } else {
      EncodeByScore(piece, out);
    }
  };
  if (!split_words_) return encode(text);
  // Words start at a U+2581 that follows another character; repeated words reuse their ids.
  std::unordered_map<std::string_view, std::pair<size_t, size_t>> seen;
  const std::string_view marker(kSpaceMarker);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = start;
    while (end < text.size() && text.compare(end, marker.size(), marker) == 0) end += marker.size();
    end = text.find(marker, end);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    auto it = seen.find(word);
    if (it != seen.end()) {
      const size_t from = it->second.first, n = it->second.second;
      for (size_t i = 0; i < n; ++i) out->push_back((*out)[from + i]);
    } else {
      const size_t before = out->size();
      encode(word);
      seen.emplace(word, std::make_pair(before, out->size() - before));
    }
    start = end;
  }
}

std::vector<int32_t> SpmTokenizer::Encode(std::string_view text, bool add_special,
                                          bool parse_special) const {
  const std::string clean = SanitizeUtf8(text);
  std::vector<int32_t> out;
  out.reserve(clean.size() / 3 + 4);
  if (add_special && vocab_.add_bos && vocab_.bos_id >= 0) out.push_back(vocab_.bos_id);
  bool prev_special = true;  // the dummy prefix goes at the start and after special tokens
  std::string escaped;
  for (const Fragment& f : splitter_.Split(clean, parse_special)) {
    if (f.token >= 0) {
      out.push_back(f.token);
      prev_special = true;
      continue;
    }
    escaped.clear();
    if (vocab_.add_space_prefix && prev_special) escaped.append(kSpaceMarker);
    AppendEscaped(f.text, &escaped);
    EncodeFragment(escaped, &out);
    prev_special = false;
  }
  if (add_special && vocab_.add_eos && vocab_.eos_id >= 0) out.push_back(vocab_.eos_id);
  return out;
}

std::string SpmTokenizer::TokenToPiece(int32_t id) const {
  if (id < 0 || id >= n_vocab()) return {};
  const std::string& text = vocab_.tokens[id];
  switch (vocab_.types[id]) {
    case TokenType::kControl:
    case TokenType::kUnknown:
    case TokenType::kUserDefined:
      return text;
    case TokenType::kNormal:
      return UnescapeSpaces(text);
    case TokenType::kByte:
      return std::string(1, static_cast<char>(token_byte_[id]));
    case TokenType::kUndefined:
    case TokenType::kUnused:
      break;
  }
  return {};
}

}  // namespace miaotui::tokenizer
