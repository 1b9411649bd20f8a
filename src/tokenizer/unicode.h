// Unicode services for the tokenizers, on top of utf8proc (Debian's libutf8proc): decoding to
// code points, general categories, normalization forms and lower-casing.
//
// Every function accepts any bytes: ill-formed UTF-8 decodes to U+FFFD per maximal ill-formed
// subpart (as SanitizeUtf8 does), so nothing here can fail or crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace miaotui::tokenizer {

// The code points of `s`.
std::vector<char32_t> DecodeUtf8(std::string_view s);

enum class NormalForm { kNfc, kNfd, kNfkc, kNfkd };
// `s` in the given Unicode normalization form.
std::string Normalize(std::string_view s, NormalForm form);
// Simple (one code point to one code point) lower-casing of every character.
std::string Lowercase(std::string_view s);
char32_t LowercaseCp(char32_t cp);

// Character classes as BERT's basic tokenizer (Hugging Face BertNormalizer and
// BertPreTokenizer) define them.
bool IsBertWhitespace(char32_t cp);   // \t \n \r, or the White_Space property (Zs and friends)
bool IsBertControl(char32_t cp);      // a C* category other than \t \n \r
bool IsBertPunctuation(char32_t cp);  // ASCII punctuation/symbols, or a P* category
bool IsCjkIdeograph(char32_t cp);     // the CJK Unified Ideograph blocks BERT splits on
bool IsNonspacingMark(char32_t cp);   // category Mn

}  // namespace miaotui::tokenizer
