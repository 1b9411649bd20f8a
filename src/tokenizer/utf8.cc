#include "tokenizer/utf8.h"

#include <cstdint>

namespace miaotui::tokenizer {
namespace {

// Examines the sequence at s[pos]. Returns its length if well-formed (*ok = true); otherwise the
// length of the maximal ill-formed subpart there (at least 1): the longest prefix that could
// still have become a well-formed sequence (*ok = false).
size_t Scan(std::string_view s, size_t pos, bool* ok) {
  const auto b0 = static_cast<uint8_t>(s[pos]);
  *ok = true;
  if (b0 < 0x80) return 1;
  uint8_t lo = 0x80, hi = 0xBF;
  size_t need;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *ok = false;
    return 1;
  }
  size_t n = 1;
  for (size_t k = 0; k < need; ++k, ++n) {
    if (pos + n >= s.size()) break;
    const auto b = static_cast<uint8_t>(s[pos + n]);
    if (b < (k == 0 ? lo : 0x80) || b > (k == 0 ? hi : 0xBF)) break;
  }
  *ok = n == need + 1;
  return n;
}

}  // namespace

size_t Utf8SequenceLength(std::string_view s, size_t pos) {
  bool ok;
  const size_t n = Scan(s, pos, &ok);
  return ok ? n : 0;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t pos = 0; pos < s.size();) {
    const size_t n = Utf8SequenceLength(s, pos);
    if (n == 0) return false;
    pos += n;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t pos = 0; pos < s.size();) {
    bool ok;
    const size_t n = Scan(s, pos, &ok);
    if (ok) {
      out.append(s.substr(pos, n));
    } else {
      out.append("\xEF\xBF\xBD");
    }
    pos += n;
  }
  return out;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace miaotui::tokenizer
