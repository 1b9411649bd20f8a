// StopTextFilter: streams generated text while watching for stop strings (a chat template's
// end-of-turn text such as "<|im_end|>" or "<end_of_turn>").
//
// Push(bytes) returns the bytes that are now safe to show: never a byte of a stop string, never
// an incomplete UTF-8 character, and nothing that might still turn out to begin a stop string
// (that is held back until the next bytes decide). Once a stop string appears, stopped() is true
// and nothing from its first byte on is ever returned. Flush() returns what is held back at the
// end of generation. text() is everything returned so far: the reply without the stop string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace miaotui::runtime {

class StopTextFilter {
 public:
  explicit StopTextFilter(std::vector<std::string> stops);  // empty strings are ignored

  std::string Push(std::string_view bytes);
  std::string Flush();
  bool stopped() const { return stopped_; }
  const std::string& text() const { return text_; }

 private:
  std::string Release(size_t n);  // moves pending_[0, n) to text_ and returns it

  std::vector<std::string> stops_;
  std::string pending_, text_;
  bool stopped_ = false;
};

}  // namespace miaotui::runtime
