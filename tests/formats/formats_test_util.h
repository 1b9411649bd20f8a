// Helpers for the formats tests: GgufBytes assembles GGUF (or any) bytes by hand, including
// invalid ones, and writes them to a file; EXPECT_MESSAGE_HAS checks an error message.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace miaotui::formats::testing {

class GgufBytes {
 public:
  GgufBytes& U8(uint8_t x) { return Raw(&x, 1); }
  GgufBytes& U32(uint32_t x) { return Raw(&x, 4); }
  GgufBytes& U64(uint64_t x) { return Raw(&x, 8); }
  GgufBytes& Str(const std::string& s) {
    U64(s.size());
    return Raw(s.data(), s.size());
  }
  // Magic, version, n_tensors, n_kv.
  GgufBytes& Header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    Raw("GGUF", 4);
    U32(version);
    U64(n_tensors);
    return U64(n_kv);
  }
  // A string kv.
  GgufBytes& KvString(const std::string& key, const std::string& value) {
    Str(key);
    U32(8);
    return Str(value);
  }
  GgufBytes& KvU32(const std::string& key, uint32_t value) {
    Str(key);
    U32(4);
    return U32(value);
  }
  // A tensor info with ne = {ne0, ne1}.
  GgufBytes& Tensor(const std::string& name, uint64_t ne0, uint64_t ne1, uint32_t type,
                    uint64_t offset) {
    Str(name);
    U32(2);
    U64(ne0);
    U64(ne1);
    U32(type);
    return U64(offset);
  }
  // Zero bytes up to a multiple of `alignment`, then `n` more zero bytes of data.
  GgufBytes& AlignAndData(size_t alignment, size_t n) {
    while (bytes_.size() % alignment) bytes_.push_back(0);
    bytes_.append(n, '\0');
    return *this;
  }
  GgufBytes& Raw(const void* p, size_t n) {
    bytes_.append(static_cast<const char*>(p), n);
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

  void WriteTo(const std::string& path) const { WriteFile(path, bytes_); }
  static void WriteFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

 private:
  std::string bytes_;
};

}  // namespace miaotui::formats::testing

#define EXPECT_MESSAGE_HAS(msg, part) \
  EXPECT_NE((msg).find(part), std::string::npos) << "message: " << (msg)
