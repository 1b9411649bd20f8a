#include "compress/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>

#include "template/text.h"

namespace miaotui::compress {
namespace {

constexpr double kPanelW = 460, kPanelH = 360;       // one panel, margins included
constexpr double kLeft = 70, kRight = 20, kTop = 40, kBottom = 55;
constexpr double kTitleH = 34;                       // the chart title above the panels
const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

// A tick value as a short label: no trailing zeros, no "-0".
std::string TickLabel(double v, double step) {
  if (std::fabs(v) < step * 1e-9) v = 0;
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", std::min(decimals, 6), v);
  return buf;
}

struct Range {
  double lo, hi;
};

// The tick range of the finite values `v` (at least one), padded so no dot sits on the frame.
std::vector<double> AxisTicks(const std::vector<double>& v) {
  double lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
  const double pad = hi > lo ? 0.08 * (hi - lo) : (lo != 0 ? 0.05 * std::fabs(lo) : 1.0);
  return NiceTicks(lo - pad, hi + pad, 5);
}

void Text(std::string& out, double x, double y, const std::string& s, const char* anchor,
          int size, const std::string& extra = "") {
  out += "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" text-anchor=\"" + anchor +
         "\" font-size=\"" + std::to_string(size) + "\"" + extra + ">" + XmlEscape(s) +
         "</text>\n";
}

void Line(std::string& out, double x1, double y1, double x2, double y2, const char* stroke) {
  out += "<line x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) + "\" x2=\"" + Num(x2) + "\" y2=\"" +
         Num(y2) + "\" stroke=\"" + stroke + "\"/>\n";
}

// A label's extent: left x, baseline y, width (11 px text is about 12 px tall).
struct Box {
  double x, y, w;
};

bool Overlaps(const Box& b, const std::vector<Box>& placed) {
  for (const Box& p : placed) {
    if (b.x < p.x + p.w && p.x < b.x + b.w && std::fabs(b.y - p.y) < 12) return true;
  }
  return false;
}

void Panel(std::string& out, const ChartPanel& p, double ox, double oy) {
  const double px = ox + kLeft, py = oy + kTop;
  const double pw = kPanelW - kLeft - kRight, ph = kPanelH - kTop - kBottom;
  out += "<g class=\"panel\">\n";
  Text(out, ox + kPanelW / 2, oy + 22, p.title, "middle", 14, " font-weight=\"bold\"");
  std::vector<ChartPoint> pts;
  std::vector<double> xs, ys;
  int skipped = 0;
  for (const ChartPoint& q : p.points) {
    if (!std::isfinite(q.x) || !std::isfinite(q.y)) {
      ++skipped;
      continue;
    }
    pts.push_back(q);
    xs.push_back(q.x);
    ys.push_back(q.y);
  }
  out += "<rect x=\"" + Num(px) + "\" y=\"" + Num(py) + "\" width=\"" + Num(pw) +
         "\" height=\"" + Num(ph) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  Text(out, px + pw / 2, oy + kPanelH - 12, p.x_title, "middle", 12);
  const double ty = py + ph / 2;
  Text(out, ox + 16, ty, p.y_title, "middle", 12,
       " transform=\"rotate(-90 " + Num(ox + 16) + " " + Num(ty) + ")\"");
  if (skipped) {
    Text(out, px + pw, py - 4, std::to_string(skipped) + " point(s) not finite, not drawn", "end",
         10);
  }
  if (pts.empty()) {
    out += "</g>\n";
    return;
  }
  const std::vector<double> xt = AxisTicks(xs), yt = AxisTicks(ys);
  const Range xr{xt.front(), xt.back()}, yr{yt.front(), yt.back()};
  auto sx = [&](double v) { return px + (v - xr.lo) / (xr.hi - xr.lo) * pw; };
  auto sy = [&](double v) { return py + ph - (v - yr.lo) / (yr.hi - yr.lo) * ph; };
  const double xstep = xt.size() > 1 ? xt[1] - xt[0] : 1, ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
  for (double v : xt) {
    Line(out, sx(v), py, sx(v), py + ph, "#e5e5e5");
    Line(out, sx(v), py + ph, sx(v), py + ph + 5, "#333");
    Text(out, sx(v), py + ph + 18, TickLabel(v, xstep), "middle", 11);
  }
  for (double v : yt) {
    Line(out, px, sy(v), px + pw, sy(v), "#e5e5e5");
    Line(out, px - 5, sy(v), px, sy(v), "#333");
    Text(out, px - 8, sy(v) + 4, TickLabel(v, ystep), "end", 11);
  }
  std::vector<Box> placed;
  for (size_t i = 0; i < pts.size(); ++i) {
    const char* color = kColors[i % std::size(kColors)];
    const double cx = sx(pts[i].x), cy = sy(pts[i].y);
    out += "<circle class=\"point\" cx=\"" + Num(cx) + "\" cy=\"" + Num(cy) +
           "\" r=\"5\" fill=\"" + color + "\"><title>" + XmlEscape(pts[i].label) +
           "</title></circle>\n";
    // Labels go right of the dot, or left of it in the right third of the panel, moved up or
    // down in steps of one line until they overlap no label placed before (a leader line then
    // joins label and dot).
    const bool left = cx > px + 0.66 * pw;
    const double tx = cx + (left ? -8 : 8);
    const double width = 6.2 * static_cast<double>(pts[i].label.size());
    Box box{left ? tx - width : tx, cy - 6, width};
    for (int step = 1; step < 40 && Overlaps(box, placed); ++step) {
      box.y = cy - 6 + (step % 2 ? 1 : -1) * 12.0 * ((step + 1) / 2);
    }
    placed.push_back(box);
    if (box.y != cy - 6) Line(out, cx, cy, tx, box.y - 4, color);
    Text(out, tx, box.y, pts[i].label, left ? "end" : "start", 11,
         std::string(" fill=\"") + color + "\"");
  }
  out += "</g>\n";
}

}  // namespace

std::string XmlEscape(const std::string& s) {
  // Control characters other than tab and newline are not allowed in XML 1.0.
  std::string clean = s;
  for (char& c : clean) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') c = ' ';
  }
  return tmpl::HtmlEscape(clean);  // &amp; &lt; &gt; &#34; &#39;: valid XML entities too
}

std::vector<double> NiceTicks(double lo, double hi, int target) {
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  const double first = std::floor(lo / step), last = std::ceil(hi / step);
  for (double i = first; i <= last + 0.5; i += 1) ticks.push_back(i * step);
  return ticks;
}

std::string SvgScatterChart(const std::string& title, const std::vector<ChartPanel>& panels) {
  const double w = kPanelW * std::max<size_t>(1, panels.size()), h = kPanelH + kTitleH;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(w) + "\" height=\"" + Num(h) +
         "\" viewBox=\"0 0 " + Num(w) + " " + Num(h) + "\" font-family=\"sans-serif\">\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  Text(out, w / 2, 24, title, "middle", 16, " font-weight=\"bold\"");
  for (size_t i = 0; i < panels.size(); ++i) Panel(out, panels[i], kPanelW * i, kTitleH);
  out += "</svg>\n";
  return out;
}

}  // namespace miaotui::compress
