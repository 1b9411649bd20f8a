#include "auth.h"

namespace miaotui::server {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Walk the longer length in full; mix the length difference into the result.
  const size_t n = a.size() > b.size() ? a.size() : b.size();
  volatile unsigned char diff = static_cast<unsigned char>(a.size() != b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = diff | (x ^ y);
  }
  return diff == 0;
}

bool BearerMatches(std::string_view authorization, std::string_view key) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (authorization.size() < kPrefix.size()) return ConstantTimeEquals("", key) && false;
  bool prefix_ok = true;
  for (size_t i = 0; i < kPrefix.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z' && i < 6) c = static_cast<char>(c - 'A' + 'a');
    char w = kPrefix[i];
    if (w >= 'A' && w <= 'Z') w = static_cast<char>(w - 'A' + 'a');
    prefix_ok = prefix_ok && c == w;
  }
  const bool key_ok = ConstantTimeEquals(authorization.substr(kPrefix.size()), key);
  return prefix_ok && key_ok;
}

}  // namespace miaotui::server
