#include "tokenizer/byte_level.h"

#include <array>

#include "base/utf8.h"

namespace miaotui::tokenizer {
namespace {

bool IsPrintableLatin1(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct Tables {
  std::array<std::string, 256> encode;  // byte -> UTF-8 of its character
  std::array<int16_t, 0x144> decode;    // code point (< 0x144) -> byte, -1 if none
  Tables() {
    decode.fill(-1);
    int next = 0;
    for (int b = 0; b < 256; ++b) {
      const char32_t cp =
          IsPrintableLatin1(b) ? static_cast<char32_t>(b) : static_cast<char32_t>(0x100 + next++);
      AppendUtf8(cp, &encode[b]);
      decode[cp] = static_cast<int16_t>(b);
    }
  }
};

const Tables& GetTables() {
  static const Tables* t = new Tables();
  return *t;
}

}  // namespace

void AppendByteLevel(std::string_view bytes, std::string* out) {
  const Tables& t = GetTables();
  for (char c : bytes) out->append(t.encode[static_cast<uint8_t>(c)]);
}

bool DecodeByteLevel(std::string_view text, std::string* out) {
  const Tables& t = GetTables();
  bool all = true;
  for (size_t pos = 0; pos < text.size();) {
    const auto c0 = static_cast<uint8_t>(text[pos]);
    char32_t cp = 0x110000;
    size_t len = 1;
    if (c0 < 0x80) {
      cp = c0;
    } else if ((c0 & 0xE0) == 0xC0 && pos + 1 < text.size()) {
      cp = ((c0 & 0x1F) << 6) | (static_cast<uint8_t>(text[pos + 1]) & 0x3F);
      len = 2;
    } else {
      len = Utf8SequenceLength(text, pos);
      if (len == 0) len = 1;
    }
    if (cp < t.decode.size() && t.decode[cp] >= 0) {
      out->push_back(static_cast<char>(t.decode[cp]));
    } else {
      out->append(text.substr(pos, len));
      all = false;
    }
    pos += len;
  }
  return all;
}

}  // namespace miaotui::tokenizer
