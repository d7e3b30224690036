// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A dependency-free SVG line chart for the examples' result plots (accuracy against depth, weights against layer):
// series of (x, y) points with optional ± error bars, solid or dashed, a legend, and axes with round tick values.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "loom/core/error.h"

namespace loom::examples {

struct LineSeries {
  std::string label;
  std::vector<double> x, y;
  std::vector<double> err;  // empty, or one half-width per point (drawn as a vertical bar)
  std::string colour = "#4363d8";
  bool dashed = false;
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<LineSeries> series;
  bool log2_x = false;                  // depth sweeps: 4, 8, 16, 32 evenly spaced
  std::vector<double> x_ticks;          // where to label x (empty: every x of the first series)
  double width = 720, height = 440;
};

namespace detail {
inline std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}
inline std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return o;
}
}  // namespace detail

inline void write_line_svg(const std::string& path, const LineChart& c) {
  LOOM_CHECK(!c.series.empty(), ValueError, "write_line_svg(\"", path, "\"): the chart has no series");
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const LineSeries& s : c.series) {
    LOOM_CHECK(s.x.size() == s.y.size() && (s.err.empty() || s.err.size() == s.y.size()), ValueError,
               "write_line_svg: series '", s.label, "' has ", s.x.size(), " x, ", s.y.size(), " y and ", s.err.size(),
               " error values");
    for (size_t i = 0; i < s.x.size(); ++i) {
      const double e = s.err.empty() ? 0 : s.err[i];
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i] - e), y1 = std::max(y1, s.y[i] + e);
    }
  }
  auto tx = [&](double x) { return c.log2_x ? std::log2(x) : x; };
  const double step = std::pow(10, std::floor(std::log10(std::max(y1 - y0, 1e-12)))) / 2;  // round y ticks
  y0 = std::floor(y0 / step) * step, y1 = std::ceil(y1 / step) * step;
  if (y1 <= y0) y1 = y0 + step;
  const double L = 70, R = 200, T = 40, B = 55, pw = c.width - L - R, ph = c.height - T - B;
  const double lx0 = tx(x0), lx1 = tx(x1) > tx(x0) ? tx(x1) : tx(x0) + 1;
  auto px = [&](double x) { return L + (tx(x) - lx0) / (lx1 - lx0) * pw; };
  auto py = [&](double y) { return T + (y1 - y) / (y1 - y0) * ph; };
  std::ofstream f(path);
  LOOM_CHECK(f.good(), Error, "write_line_svg: cannot write '", path, "'");
  f << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << c.width << "\" height=\"" << c.height
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    // The title starts at the left edge: centred over the plot, a long one ran off both sides.
    << "<text x=\"10\" y=\"22\" font-size=\"15\">" << detail::esc(c.title)
    << "</text>\n";
  for (int i = 0; y0 + i * step <= y1 + 1e-9; ++i) {  // horizontal grid and y labels
    const double y = y0 + i * step;
    f << "<line x1=\"" << L << "\" x2=\"" << L + pw << "\" y1=\"" << py(y) << "\" y2=\"" << py(y)
      << "\" stroke=\"#ddd\"/><text x=\"" << L - 6 << "\" y=\"" << py(y) + 4 << "\" text-anchor=\"end\">"
      << detail::fmt(y) << "</text>\n";
  }
  const std::vector<double>& xt = c.x_ticks.empty() ? c.series.front().x : c.x_ticks;
  for (double x : xt)
    f << "<text x=\"" << px(x) << "\" y=\"" << T + ph + 18 << "\" text-anchor=\"middle\">" << detail::fmt(x)
      << "</text>\n";
  f << "<rect x=\"" << L << "\" y=\"" << T << "\" width=\"" << pw << "\" height=\"" << ph
    << "\" fill=\"none\" stroke=\"#333\"/>\n<text x=\"" << L + pw / 2 << "\" y=\"" << c.height - 12
    << "\" text-anchor=\"middle\">" << detail::esc(c.x_label) << "</text>\n<text transform=\"translate(18 "
    << T + ph / 2 << ") rotate(-90)\" text-anchor=\"middle\">" << detail::esc(c.y_label) << "</text>\n";
  for (size_t k = 0; k < c.series.size(); ++k) {
    const LineSeries& s = c.series[k];
    f << "<polyline fill=\"none\" stroke=\"" << s.colour << "\" stroke-width=\"2\""
      << (s.dashed ? " stroke-dasharray=\"6 4\"" : "") << " points=\"";
    for (size_t i = 0; i < s.x.size(); ++i) f << px(s.x[i]) << "," << py(s.y[i]) << " ";
    f << "\"/>\n";
    for (size_t i = 0; i < s.x.size(); ++i) {
      f << "<circle cx=\"" << px(s.x[i]) << "\" cy=\"" << py(s.y[i]) << "\" r=\"3\" fill=\"" << s.colour << "\"/>\n";
      if (!s.err.empty())
        f << "<line x1=\"" << px(s.x[i]) << "\" x2=\"" << px(s.x[i]) << "\" y1=\"" << py(s.y[i] - s.err[i])
          << "\" y2=\"" << py(s.y[i] + s.err[i]) << "\" stroke=\"" << s.colour << "\" stroke-opacity=\"0.5\"/>\n";
    }
    const double ly = T + 10 + 20 * static_cast<double>(k);  // legend, right of the plot
    f << "<line x1=\"" << L + pw + 12 << "\" x2=\"" << L + pw + 40 << "\" y1=\"" << ly << "\" y2=\"" << ly
      << "\" stroke=\"" << s.colour << "\" stroke-width=\"2\"" << (s.dashed ? " stroke-dasharray=\"6 4\"" : "")
      << "/><text x=\"" << L + pw + 46 << "\" y=\"" << ly + 4 << "\">" << detail::esc(s.label) << "</text>\n";
  }
  f << "</svg>\n";
  LOOM_CHECK(f.good(), Error, "write_line_svg: writing '", path, "' failed");
}

}  // namespace loom::examples
