// Conversion between template values and JSON: the render context comes in as nlohmann::json,
// and the `tojson` filter writes JSON the way @huggingface/jinja does (JSON.stringify string
// escaping, Python json.dumps separators: ", " and ": ", or "," plus newlines with indent).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "template/value.h"

namespace miaotui::tmpl {

// Deepest nesting of lists/dicts accepted from a context or written by tojson.
inline constexpr int kMaxValueDepth = 512;

struct JsonOptions {
  std::optional<int> indent;  // pretty-print with this many spaces per level
  bool ensure_ascii = false;  // escape every code point >= 0x7f as \uXXXX
  bool sort_keys = false;
  std::optional<std::pair<std::string, std::string>> separators;  // (item, key)
  bool undefined_as_null = true;  // false: undefined prints as "undefined" (rendering)
};

// Converts a JSON context value. Numbers that are integral become ints (as in JavaScript).
// Fails on nesting deeper than kMaxValueDepth.
Result<Value> FromJson(const nlohmann::json& j);

// Writes `v` as JSON. Fails on functions and on nesting deeper than kMaxValueDepth.
Result<std::string> ToJson(const Value& v, const JsonOptions& options);

// Appends `s` as a JSON string literal (JSON.stringify escaping) to `out`.
void AppendJsonString(std::string_view s, bool ensure_ascii, std::string* out);

}  // namespace miaotui::tmpl
