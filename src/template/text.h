// UTF-8 text helpers with JavaScript semantics, as the reference implementation uses them:
// whitespace is JavaScript's \s (Unicode White_Space plus BOM), lengths count UTF-16 units.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"

namespace miaotui::tmpl {

std::vector<std::string> SplitCodePoints(std::string_view s);

bool IsJsSpace(char32_t cp);
std::string TrimJs(std::string_view s, bool left, bool right);
// Python str.strip(chars): removes any code point contained in `chars` from the ends.
std::string TrimChars(std::string_view s, std::string_view chars, bool left, bool right);
size_t Utf16Length(std::string_view s);

std::string AsciiUpper(std::string_view s);
std::string AsciiLower(std::string_view s);
// JavaScript value.replace(/\b\w/g, upper): upper-cases the first word character of each word.
std::string TitleCase(std::string_view s);
// Python str.split(None, maxsplit) (runs of whitespace) and str.split(sep, maxsplit).
std::vector<std::string> SplitWhitespace(std::string_view s, int64_t maxsplit);
std::vector<std::string> SplitOn(std::string_view s, std::string_view sep, int64_t maxsplit);
// Python str.replace(old, new, count); count < 0 replaces all. An empty `old` inserts `new`
// between code points.
std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to,
                       int64_t count);
std::string HtmlEscape(std::string_view s);

}  // namespace miaotui::tmpl
