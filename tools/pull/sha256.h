// SHA-256 (FIPS 180-4), incremental: for checking downloaded files against published digests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace miaotui::pull {

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t n);
  // The digest as 64 lowercase hex digits. Call once; the object is spent afterwards.
  std::string HexDigest();

 private:
  void Block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  size_t used_ = 0;
  uint64_t total_ = 0;
};

// The SHA-256 of a whole file, as 64 lowercase hex digits.
Result<std::string> Sha256File(const std::string& path);

}  // namespace miaotui::pull
