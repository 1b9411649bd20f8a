// API-key checks: the key is taken from "Authorization: Bearer <key>" and compared in time that
// depends only on the lengths, never on where the first difference is.
#pragma once

#include <string>
#include <string_view>

namespace miaotui::server {

bool ConstantTimeEquals(std::string_view a, std::string_view b);
// True when `authorization` (the header's value) is "Bearer <key>" with exactly `key`.
bool BearerMatches(std::string_view authorization, std::string_view key);

}  // namespace miaotui::server
