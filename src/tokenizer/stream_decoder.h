// StreamDecoder: token ids in, text out as it is generated, never a broken character.
//
// A token's bytes may end in the middle of a UTF-8 character (byte-fallback tokens in
// SentencePiece vocabularies, byte-level BPE pieces of emoji or CJK text). Push returns only
// bytes that form complete characters, holding back a trailing incomplete sequence until the
// tokens that complete it arrive. Bytes that can never become valid UTF-8 are replaced by
// U+FFFD as soon as that is certain, so everything returned is valid UTF-8 and the
// concatenation of all returns plus Flush() equals SanitizeUtf8(Decode(ids)).
//
// Not thread-safe (one decoder per stream); the Tokenizer must outlive it.
#pragma once

#include <cstdint>
#include <string>

#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {

class StreamDecoder {
 public:
  // With skip_special, control tokens produce no text (as Tokenizer::Decode).
  explicit StreamDecoder(const Tokenizer& tokenizer, bool skip_special = false)
      : tok_(tokenizer), skip_special_(skip_special) {}

  // Adds one token; returns the text that is complete now (possibly empty).
  std::string Push(int32_t id);
  // Ends the stream: returns what was held back, an incomplete character as U+FFFD.
  std::string Flush();
  // Forgets anything held back (e.g. after a reset of the conversation).
  void Reset() { pending_.clear(); }
  // Bytes held back so far (0 to 3).
  size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer& tok_;
  bool skip_special_;
  std::string pending_;
};


}  // namespace miaotui::tokenizer
