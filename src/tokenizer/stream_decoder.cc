#include "tokenizer/stream_decoder.h"

#include "base/utf8.h"

namespace miaotui::tokenizer {

std::string StreamDecoder::Push(int32_t id) {
  if (skip_special_ && tok_.IsControl(id)) return {};
  pending_ += tok_.TokenToPiece(id);
  const size_t keep = IncompleteUtf8Suffix(pending_);
  std::string out = SanitizeUtf8(std::string_view(pending_).substr(0, pending_.size() - keep));
  pending_.erase(0, pending_.size() - keep);
  return out;
}

std::string StreamDecoder::Flush() {
  std::string out = SanitizeUtf8(pending_);
  pending_.clear();
  return out;
}

}  // namespace miaotui::tokenizer
