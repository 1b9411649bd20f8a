#include "base/utf8.h"

#include <cstdint>

namespace miaotui {
namespace {

enum class Form { kValid, kTruncated, kInvalid };

struct Scanned {
  size_t length;  // the sequence, or the maximal ill-formed subpart (at least 1 byte)
  Form form;      // kTruncated: a well-formed prefix that the end of `s` cut short
};

// Examines the sequence at s[pos] (Unicode Table 3-7 for the allowed second bytes).
Scanned Scan(std::string_view s, size_t pos) {
  const auto b0 = static_cast<uint8_t>(s[pos]);
  if (b0 < 0x80) return {1, Form::kValid};
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
    return {1, Form::kInvalid};
  }
  size_t n = 1;
  for (size_t k = 0; k < need; ++k, ++n) {
    if (pos + n >= s.size()) return {n, Form::kTruncated};
    const auto b = static_cast<uint8_t>(s[pos + n]);
    if (b < (k == 0 ? lo : 0x80) || b > (k == 0 ? hi : 0xBF)) return {n, Form::kInvalid};
  }
  return {n, Form::kValid};
}

}  // namespace

size_t Utf8SequenceLength(std::string_view s, size_t pos) {
  const Scanned sc = Scan(s, pos);
  return sc.form == Form::kValid ? sc.length : 0;
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
    const Scanned sc = Scan(s, pos);
    if (sc.form == Form::kValid) {
      out.append(s.substr(pos, sc.length));
    } else {
      out.append("\xEF\xBF\xBD");
    }
    pos += sc.length;
  }
  return out;
}

char32_t DecodeUtf8(std::string_view s, size_t* pos) {
  const Scanned sc = Scan(s, *pos);
  const auto* p = reinterpret_cast<const uint8_t*>(s.data() + *pos);
  *pos += sc.length;
  if (sc.form != Form::kValid) return 0xFFFD;
  switch (sc.length) {
    case 1:
      return p[0];
    case 2:
      return (char32_t{p[0] & 0x1Fu} << 6) | (p[1] & 0x3Fu);
    case 3:
      return (char32_t{p[0] & 0x0Fu} << 12) | (char32_t{p[1] & 0x3Fu} << 6) | (p[2] & 0x3Fu);
    default:
      return (char32_t{p[0] & 0x07u} << 18) | (char32_t{p[1] & 0x3Fu} << 12) |
             (char32_t{p[2] & 0x3Fu} << 6) | (p[3] & 0x3Fu);
  }
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
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

size_t IncompleteUtf8Suffix(std::string_view s) {
  const size_t n = s.size();
  for (size_t k = 1; k <= 3 && k <= n; ++k) {
    const auto b = static_cast<uint8_t>(s[n - k]);
    if ((b & 0xC0) == 0x80) continue;  // a continuation byte: look further back for the lead
    return Scan(s, n - k).form == Form::kTruncated ? k : 0;
  }
  return 0;
}

}  // namespace miaotui
