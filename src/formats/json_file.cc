// JSON reading with positions in parse errors, and the typed getters (see json_file.h).
#include "formats/json_file.h"

#include <cmath>
#include <limits>

#include "base/mmap_file.h"

namespace miaotui::formats {

namespace {

using nlohmann::json;

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1, column 2: why";
// keeps only "why".
std::string ParseErrorReason(const std::string& what) {
  size_t close = what.find("] ");
  size_t colon = what.find(": ", close == std::string::npos ? 0 : close);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

// Finds `key` in `obj`: nullptr when absent (or null and `null_is_absent`).
Result<const json*> Lookup(const json& obj, std::string_view key, const std::string& file,
                           bool null_is_absent) {
  if (!obj.is_object()) {
    return InvalidArgument(file + ": expected a JSON object holding '" + std::string(key) +
                           "', found " + JsonDescribe(obj));
  }
  auto it = obj.find(std::string(key));
  if (it == obj.end() || (null_is_absent && it->is_null())) {
    return static_cast<const json*>(nullptr);
  }
  return &*it;
}

Status WrongType(const json& v, std::string_view key, const std::string& file,
                 const char* expected) {
  return InvalidArgument(file + ": field '" + std::string(key) + "' is " + JsonDescribe(v) +
                         ", expected " + expected);
}

Result<int64_t> AsInt(const json& v, std::string_view key, const std::string& file) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() &&
        v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return WrongType(v, key, file, "an integer that fits 64 bits");
    }
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) {
      return static_cast<int64_t>(d);
    }
  }
  return WrongType(v, key, file, "an integer");
}

Result<double> AsFloat(const json& v, std::string_view key, const std::string& file) {
  if (!v.is_number()) return WrongType(v, key, file, "a number");
  return v.get<double>();
}

Result<std::string> AsString(const json& v, std::string_view key, const std::string& file) {
  if (!v.is_string()) return WrongType(v, key, file, "a string");
  return v.get<std::string>();
}

Result<bool> AsBool(const json& v, std::string_view key, const std::string& file) {
  if (!v.is_boolean()) return WrongType(v, key, file, "a boolean");
  return v.get<bool>();
}

// Looks `key` up and converts it with `as`; `def` (if given) answers for a missing key.
template <typename T, typename As>
Result<T> Get(const json& obj, std::string_view key, const std::string& file, As as,
              const T* def) {
  MT_ASSIGN_OR_RETURN(const json* v, Lookup(obj, key, file, def != nullptr));
  if (v == nullptr) {
    if (def != nullptr) return *def;
    return NotFound(file + ": field '" + std::string(key) + "' is missing");
  }
  return as(*v, key, file);
}

}  // namespace

std::string JsonDescribe(const json& v) {
  switch (v.type()) {
    case json::value_t::string: {
      std::string s = v.get<std::string>();
      if (s.size() > 40) s = s.substr(0, 40) + "...";
      return "string \"" + s + "\"";
    }
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "number " + v.dump();
    case json::value_t::boolean:
      return std::string("boolean ") + (v.get<bool>() ? "true" : "false");
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    default: return v.type_name();
  }
}

Result<json> ParseJson(std::string_view text, const std::string& name) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    const size_t byte = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    size_t line = 1, column = 1;
    for (size_t k = 0; k < byte; ++k) {
      if (text[k] == '\n') ++line, column = 1;
      else ++column;
    }
    return InvalidArgument(name + ": invalid JSON at line " + std::to_string(line) +
                           ", column " + std::to_string(column) + " (byte " +
                           std::to_string(byte) + "): " + ParseErrorReason(e.what()));
  } catch (const std::exception& e) {
    return InvalidArgument(name + ": invalid JSON: " + e.what());
  }
}

Result<json> ReadJsonFile(const std::string& path) {
  MT_ASSIGN_OR_RETURN(MappedFile map, MappedFile::Open(path));
  std::string_view text(reinterpret_cast<const char*>(map.data()), map.size());
  return ParseJson(text, path);
}

Result<int64_t> JsonGetInt(const json& obj, std::string_view key, const std::string& file) {
  return Get<int64_t>(obj, key, file, AsInt, nullptr);
}
Result<double> JsonGetFloat(const json& obj, std::string_view key, const std::string& file) {
  return Get<double>(obj, key, file, AsFloat, nullptr);
}
Result<std::string> JsonGetString(const json& obj, std::string_view key,
                                  const std::string& file) {
  return Get<std::string>(obj, key, file, AsString, nullptr);
}
Result<bool> JsonGetBool(const json& obj, std::string_view key, const std::string& file) {
  return Get<bool>(obj, key, file, AsBool, nullptr);
}

Result<int64_t> JsonGetIntOr(const json& obj, std::string_view key, const std::string& file,
                             int64_t def) {
  return Get<int64_t>(obj, key, file, AsInt, &def);
}
Result<double> JsonGetFloatOr(const json& obj, std::string_view key, const std::string& file,
                              double def) {
  return Get<double>(obj, key, file, AsFloat, &def);
}
Result<std::string> JsonGetStringOr(const json& obj, std::string_view key,
                                    const std::string& file, std::string def) {
  return Get<std::string>(obj, key, file, AsString, &def);
}
Result<bool> JsonGetBoolOr(const json& obj, std::string_view key, const std::string& file,
                           bool def) {
  return Get<bool>(obj, key, file, AsBool, &def);
}

}  // namespace miaotui::formats
