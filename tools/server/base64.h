// Base64 (RFC 4648, standard alphabet, '=' padding), for /v1/embeddings' encoding_format
// "base64": the vector's float32 values in little-endian byte order, encoded, as OpenAI sends.
#pragma once

#include <span>
#include <string>

namespace miaotui::server {

std::string Base64Encode(std::span<const unsigned char> bytes);
// The little-endian float32 bytes of `v`, base64-encoded.
std::string FloatsToBase64(std::span<const float> v);

}  // namespace miaotui::server
