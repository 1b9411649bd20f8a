#include "base64.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

namespace miaotui::server {

std::string Base64Encode(std::span<const unsigned char> bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t w = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    for (int k = 3; k >= 0; --k) out.push_back(kAlphabet[(w >> (6 * k)) & 63]);
  }
  const size_t left = bytes.size() - i;
  if (left > 0) {
    uint32_t w = uint32_t{bytes[i]} << 16;
    if (left == 2) w |= uint32_t{bytes[i + 1]} << 8;
    out.push_back(kAlphabet[(w >> 18) & 63]);
    out.push_back(kAlphabet[(w >> 12) & 63]);
    out.push_back(left == 2 ? kAlphabet[(w >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string FloatsToBase64(std::span<const float> v) {
  std::vector<unsigned char> bytes(v.size() * 4);
  for (size_t i = 0; i < v.size(); ++i) {
    const uint32_t u = std::bit_cast<uint32_t>(v[i]);
    for (int b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<unsigned char>(u >> (8 * b));
  }
  return Base64Encode(bytes);
}

}  // namespace miaotui::server
