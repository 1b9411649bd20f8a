// Scatter charts as standalone SVG, written by our own code (no plotting library): one or more
// panels side by side, each with its axes, "nice" tick values (1, 2 or 5 times a power of ten),
// axis titles and one labelled dot per point.
//
// Contract: the result is a well-formed XML document (<?xml ...?> then one <svg> element with
// xmlns, width, height and viewBox); every text (titles, labels) is XML-escaped; non-finite
// coordinates are skipped (and listed in the panel's note), so a chart never contains NaN.
// Axis ranges cover every finite point with a margin; a panel whose points all share one value
// on an axis still gets a non-empty range. Pure function, no I/O.
#pragma once

#include <string>
#include <vector>

namespace miaotui::compress {

struct ChartPoint {
  double x = 0, y = 0;
  std::string label;
};

struct ChartPanel {
  std::string title, x_title, y_title;
  std::vector<ChartPoint> points;
};

std::string SvgScatterChart(const std::string& title, const std::vector<ChartPanel>& panels);

// "&<>\"'" replaced by XML character references; control characters by spaces.
std::string XmlEscape(const std::string& s);

// Tick values covering [lo, hi]: about `target` steps of 1, 2 or 5 times a power of ten, the
// first at or below lo and the last at or above hi. REQUIRES: lo < hi, both finite.
std::vector<double> NiceTicks(double lo, double hi, int target);

}  // namespace miaotui::compress
