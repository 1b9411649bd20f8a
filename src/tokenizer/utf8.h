// UTF-8 helpers for the tokenizers.
//
// Tokenizers work on valid UTF-8 only: SanitizeUtf8 replaces every ill-formed sequence (a stray
// continuation byte, a truncated sequence, an overlong form, a surrogate, a code point above
// U+10FFFF) by U+FFFD, one replacement per maximal ill-formed subpart as the Unicode standard
// recommends (the same result as Python's bytes.decode("utf-8", "replace")).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace miaotui::tokenizer {

// Length in bytes of the well-formed UTF-8 sequence starting at s[pos], or 0 if the bytes there
// are not a well-formed sequence. REQUIRES: pos < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t pos);

// True if `s` is entirely well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

// `s` with each maximal ill-formed subpart replaced by U+FFFD (EF BF BD).
std::string SanitizeUtf8(std::string_view s);

// Appends the UTF-8 encoding of code point `cp` (REQUIRES: a valid scalar value).
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace miaotui::tokenizer
