// A one-line progress bar on stderr, drawn only when stderr is a terminal (quiet in a pipe or a
// log file). Update() redraws at most ~20 times a second; Finish() clears the line.
#pragma once

#include <cstdint>
#include <string>

namespace miaotui::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar() { Finish(); }
  bool enabled() const { return enabled_; }
  // done of total units, with an optional note after the bar ("PPL 106.25").
  void Update(int64_t done, int64_t total, const std::string& note = "");
  void Finish();

 private:
  std::string label_;
  bool enabled_ = false;
  bool drawn_ = false;
  double last_draw_ = 0;
};

}  // namespace miaotui::cli
