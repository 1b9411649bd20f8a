// GPT-2's byte-level alphabet: every byte value is shown as one printable Unicode character
// (the printable Latin-1 bytes as themselves, the others as U+0100 + n in byte order), so that
// byte-level BPE vocabularies are made of visible characters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace miaotui::tokenizer {

// Appends the byte-level characters of `bytes` (two UTF-8 bytes at most per input byte).
void AppendByteLevel(std::string_view bytes, std::string* out);
// The bytes that the byte-level characters in `text` stand for. A character outside the
// alphabet is copied as it is (added tokens are stored as plain text). Returns false if any
// such character was met.
bool DecodeByteLevel(std::string_view text, std::string* out);

}  // namespace miaotui::tokenizer
