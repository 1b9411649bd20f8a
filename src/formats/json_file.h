// Reading JSON files (Hugging Face config.json, tokenizer.json, safetensors headers) into
// nlohmann::json without exceptions, and typed field getters whose errors name the file, the
// field, the expected type and what was found.
//
// Getter rules: `obj` must be a JSON object. JsonGetInt accepts integers and floats with an
// integral value (2048.0); JsonGetFloat accepts any number; JsonGetBool only true/false;
// JsonGetString only strings. A missing key is NotFound; a key that is present with JSON null is
// treated as missing by the ...Or variants (HF configs write "rope_scaling": null) and is an
// InvalidArgument for the plain getters, like any other wrong type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace miaotui::formats {

// Reads and parses a whole file. A parse error names the file, the line, column and byte offset.
Result<nlohmann::json> ReadJsonFile(const std::string& path);
// Parses `text`; errors are prefixed with `name` (a file path, or e.g. "x.safetensors header").
Result<nlohmann::json> ParseJson(std::string_view text, const std::string& name);

Result<int64_t> JsonGetInt(const nlohmann::json& obj, std::string_view key,
                           const std::string& file);
Result<double> JsonGetFloat(const nlohmann::json& obj, std::string_view key,
                            const std::string& file);
Result<std::string> JsonGetString(const nlohmann::json& obj, std::string_view key,
                                  const std::string& file);
Result<bool> JsonGetBool(const nlohmann::json& obj, std::string_view key,
                         const std::string& file);

Result<int64_t> JsonGetIntOr(const nlohmann::json& obj, std::string_view key,
                             const std::string& file, int64_t def);
Result<double> JsonGetFloatOr(const nlohmann::json& obj, std::string_view key,
                              const std::string& file, double def);
Result<std::string> JsonGetStringOr(const nlohmann::json& obj, std::string_view key,
                                    const std::string& file, std::string def);
Result<bool> JsonGetBoolOr(const nlohmann::json& obj, std::string_view key,
                           const std::string& file, bool def);

// A short description of a JSON value for messages: "string \"abc\"", "number 1.5", "null".
std::string JsonDescribe(const nlohmann::json& v);

}  // namespace miaotui::formats
