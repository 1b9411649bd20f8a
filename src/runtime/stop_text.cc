#include "runtime/stop_text.h"

#include <algorithm>

#include "base/utf8.h"

namespace miaotui::runtime {

StopTextFilter::StopTextFilter(std::vector<std::string> stops) {
  for (auto& s : stops) {
    if (!s.empty()) stops_.push_back(std::move(s));
  }
}

std::string StopTextFilter::Release(size_t n) {
  std::string out = pending_.substr(0, n);
  pending_.erase(0, n);
  text_ += out;
  return out;
}

std::string StopTextFilter::Push(std::string_view bytes) {
  if (stopped_) return "";
  pending_ += bytes;
  size_t first = std::string::npos;
  for (const auto& s : stops_) first = std::min(first, pending_.find(s));
  if (first != std::string::npos) {
    stopped_ = true;
    std::string out = Release(first);
    pending_.clear();
    return out;
  }
  // Hold back the longest tail of pending_ that is a proper prefix of a stop string.
  size_t hold = 0;
  for (const auto& s : stops_) {
    for (size_t k = std::min(s.size() - 1, pending_.size()); k > hold; --k) {
      if (pending_.compare(pending_.size() - k, k, s, 0, k) == 0) {
        hold = k;
        break;
      }
    }
  }
  const std::string_view candidate = std::string_view(pending_).substr(0, pending_.size() - hold);
  const size_t ready = candidate.size() - IncompleteUtf8Suffix(candidate);
  return Release(ready);
}

std::string StopTextFilter::Flush() {
  if (stopped_) return "";
  return Release(pending_.size());
}

}  // namespace miaotui::runtime
