// JsonPrefix: an incremental validator that says, byte by byte, whether a text is still the
// prefix of one valid JSON object (RFC 8259 with an object at the top level, as OpenAI's
// response_format json_object asks), whether it is complete, and how many bytes at least would
// complete it. Bytes >= 0x80 are accepted inside strings only (UTF-8 is not re-validated);
// control characters inside strings are refused. Nesting deeper than kMaxDepth is refused.
//
// The state is a small value: copy it to try a continuation without committing to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace miaotui::runtime {

class JsonPrefix {
 public:
  static constexpr int kMaxDepth = 32;

  // Feeds one byte; false (and the state is then unspecified) when the text so far can no
  // longer be the start of a valid JSON object.
  bool Push(char c);
  bool Push(std::string_view text);
  // A whole object has been read (only whitespace may follow).
  bool complete() const { return mode_ == Mode::kDone; }
  // The fewest bytes that would make the text complete.
  int MinCompletion() const;

 private:
  enum class Mode : uint8_t {
    kStart, kValue, kKey, kColon, kAfterValue, kString, kNumber, kLiteral, kDone
  };
  // Number sub-states.
  enum class Num : uint8_t { kMinus, kZero, kInt, kDot, kFrac, kExp, kExpSign, kExpDigits };
  bool Open(char c);
  bool StartValue(char c);
  bool CloseValue();  // a value just ended
  bool NumberCanEnd() const;

  Mode mode_ = Mode::kStart;
  bool allow_close_ = false;  // kValue after '[' / kKey after '{': the closer is allowed
  bool is_key_ = false;       // kString: an object key
  uint8_t escape_ = 0;        // kString: 0 none, 1 after '\', 2..5: hex digits of \u left + 1
  Num num_ = Num::kInt;
  const char* literal_ = nullptr;  // kLiteral: the rest of "true" / "false" / "null"
  std::string stack_;              // '{' or '[' per open container
};

}  // namespace miaotui::runtime
