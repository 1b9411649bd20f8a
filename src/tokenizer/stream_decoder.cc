#include "tokenizer/stream_decoder.h"

#include "tokenizer/utf8.h"

namespace miaotui::tokenizer {
namespace {

// Number of bytes of the well-formed sequence a lead byte starts, 0 if not a lead byte.
size_t LeadLength(uint8_t b) {
  if (b >= 0xC2 && b <= 0xDF) return 2;
  if (b >= 0xE0 && b <= 0xEF) return 3;
  if (b >= 0xF0 && b <= 0xF4) return 4;
  return 0;
}

// True if `second` may follow `lead` in a well-formed sequence (Unicode Table 3-7).
bool SecondByteOk(uint8_t lead, uint8_t second) {
  switch (lead) {
    case 0xE0:
      return second >= 0xA0 && second <= 0xBF;
    case 0xED:
      return second >= 0x80 && second <= 0x9F;
    case 0xF0:
      return second >= 0x90 && second <= 0xBF;
    case 0xF4:
      return second >= 0x80 && second <= 0x8F;
    default:
      return second >= 0x80 && second <= 0xBF;
  }
}

}  // namespace

size_t IncompleteUtf8Suffix(const std::string& s) {
  const size_t n = s.size();
  for (size_t k = 1; k <= 3 && k <= n; ++k) {
    const auto lead = static_cast<uint8_t>(s[n - k]);
    if ((lead & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    const size_t need = LeadLength(lead);
    if (need <= k) return 0;  // ASCII, not a lead byte, or a sequence already complete
    for (size_t i = 1; i < k; ++i) {
      const auto c = static_cast<uint8_t>(s[n - k + i]);
      if (i == 1 ? !SecondByteOk(lead, c) : (c & 0xC0) != 0x80) return 0;
    }
    return k;
  }
  return 0;
}

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
