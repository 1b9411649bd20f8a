#include "template/json_value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "template/text.h"

namespace miaotui::tmpl {
namespace {

Result<Value> FromJsonAt(const nlohmann::json& j, int depth) {
  if (depth > kMaxValueDepth) {
    return InvalidArgument("context nesting deeper than " + std::to_string(kMaxValueDepth));
  }
  switch (j.type()) {
    case nlohmann::json::value_t::null: return Value::None();
    case nlohmann::json::value_t::boolean: return Value::Bool(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value::Int(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value::Float(static_cast<double>(u));
      return Value::Int(static_cast<int64_t>(u));
    }
    case nlohmann::json::value_t::number_float: {
      const double d = j.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
        return Value::Int(static_cast<int64_t>(d));
      }
      return Value::Float(d);
    }
    case nlohmann::json::value_t::string: return Value::String(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      List items;
      items.reserve(j.size());
      for (const auto& e : j) {
        MT_ASSIGN_OR_RETURN(Value v, FromJsonAt(e, depth + 1));
        items.push_back(std::move(v));
      }
      return Value::MakeList(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      Dict d;
      for (auto it = j.begin(); it != j.end(); ++it) {
        MT_ASSIGN_OR_RETURN(Value v, FromJsonAt(it.value(), depth + 1));
        d.Set(it.key(), std::move(v));
      }
      return Value::MakeDict(std::move(d));
    }
    default: return InvalidArgument("unsupported JSON value in context (binary data)");
  }
}

void AppendHex4(unsigned v, std::string* out) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\u%04x", v & 0xFFFF);
  out->append(buf);
}

Status ToJsonAt(const Value& v, const JsonOptions& o, int depth, std::string* out) {
  if (depth > kMaxValueDepth) {
    return InvalidArgument("value nesting deeper than " + std::to_string(kMaxValueDepth));
  }
  std::string item_sep = ", ", key_sep = ": ";
  if (o.separators) {
    item_sep = o.separators->first;
    key_sep = o.separators->second;
  } else if (o.indent && *o.indent > 0) {
    item_sep = ",";
  }
  const bool pretty = o.indent && *o.indent > 0;
  const std::string unit = pretty ? std::string(*o.indent, ' ') : std::string();
  std::string base = "\n", child = "\n";
  if (pretty) {
    for (int i = 0; i < depth; ++i) base += unit;
    child = base + unit;
  }
  switch (v.kind()) {
    case Value::Kind::kUndefined: out->append(o.undefined_as_null ? "null" : "undefined"); break;
    case Value::Kind::kNone: out->append("null"); break;
    case Value::Kind::kBool: out->append(v.bool_value() ? "true" : "false"); break;
    case Value::Kind::kInt: out->append(std::to_string(v.int_value())); break;
    case Value::Kind::kFloat:
      out->append(std::isfinite(v.number()) ? JsNumberToString(v.number()) : "null");
      break;
    case Value::Kind::kString: AppendJsonString(v.str(), o.ensure_ascii, out); break;
    case Value::Kind::kList: {
      const List& items = v.list();
      out->push_back('[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out->append(item_sep);
        if (pretty) out->append(child);
        MT_RETURN_IF_ERROR(ToJsonAt(items[i], o, depth + 1, out));
      }
      if (pretty && !items.empty()) out->append(base);
      out->push_back(']');
      break;
    }
    case Value::Kind::kDict:
    case Value::Kind::kNamespace: {
      std::vector<const std::pair<std::string, Value>*> entries;
      for (const auto& e : v.dict().items) entries.push_back(&e);
      if (o.sort_keys) {
        std::stable_sort(entries.begin(), entries.end(),
                         [](auto* a, auto* b) { return a->first < b->first; });
      }
      out->push_back('{');
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) out->append(item_sep);
        if (pretty) out->append(child);
        AppendJsonString(entries[i]->first, o.ensure_ascii, out);
        out->append(key_sep);
        MT_RETURN_IF_ERROR(ToJsonAt(entries[i]->second, o, depth + 1, out));
      }
      if (pretty && !entries.empty()) out->append(base);
      out->push_back('}');
      break;
    }
    case Value::Kind::kFunction:
      return InvalidArgument("cannot convert function '" + v.function_name() + "' to JSON");
  }
  return Status::Ok();
}

}  // namespace

Result<Value> FromJson(const nlohmann::json& j) { return FromJsonAt(j, 0); }

Result<std::string> ToJson(const Value& v, const JsonOptions& options) {
  std::string out;
  MT_RETURN_IF_ERROR(ToJsonAt(v, options, 0, &out));
  return out;
}

void AppendJsonString(std::string_view s, bool ensure_ascii, std::string* out) {
  out->push_back('"');
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    const char32_t cp = DecodeUtf8(s, &pos);
    switch (cp) {
      case '"': out->append("\\\""); continue;
      case '\\': out->append("\\\\"); continue;
      case '\b': out->append("\\b"); continue;
      case '\f': out->append("\\f"); continue;
      case '\n': out->append("\\n"); continue;
      case '\r': out->append("\\r"); continue;
      case '\t': out->append("\\t"); continue;
      default: break;
    }
    if (cp < 0x20) {
      AppendHex4(cp, out);
    } else if (ensure_ascii && cp >= 0x7F) {
      if (cp >= 0x10000) {
        const char32_t c = cp - 0x10000;
        AppendHex4(0xD800 + (c >> 10), out);
        AppendHex4(0xDC00 + (c & 0x3FF), out);
      } else {
        AppendHex4(cp, out);
      }
    } else {
      out->append(s.substr(start, pos - start));
    }
  }
  out->push_back('"');
}

}  // namespace miaotui::tmpl
