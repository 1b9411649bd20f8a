// UTF-8 primitives shared by the tokenizers, the chat-template engine and the text streamers.
//
// Well-formedness follows the Unicode standard (Table 3-7): no overlong forms, no surrogates,
// nothing above U+10FFFF. Ill-formed input is never an error here: SanitizeUtf8 and DecodeUtf8
// replace each maximal ill-formed subpart by U+FFFD, as the standard recommends (the same result
// as Python's bytes.decode("utf-8", "replace") and JavaScript's TextDecoder).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace miaotui {

// Length in bytes of the well-formed UTF-8 sequence starting at s[pos], or 0 if the bytes there
// are not a well-formed sequence. REQUIRES: pos < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t pos);

// True if `s` is entirely well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

// `s` with each maximal ill-formed subpart replaced by U+FFFD (EF BF BD).
std::string SanitizeUtf8(std::string_view s);

// Decodes the code point at s[*pos] and advances *pos past it; a maximal ill-formed subpart
// decodes as U+FFFD and is skipped whole. REQUIRES: *pos < s.size().
char32_t DecodeUtf8(std::string_view s, size_t* pos);

// Appends the UTF-8 encoding of `cp`; a surrogate or a value above U+10FFFF appends U+FFFD.
void AppendUtf8(char32_t cp, std::string* out);

// Number of bytes at the end of `s` that begin a well-formed sequence not yet complete (0..3):
// what a streamer holds back until the next bytes arrive. Bytes that can never become
// well-formed are not held (0).
size_t IncompleteUtf8Suffix(std::string_view s);

}  // namespace miaotui
