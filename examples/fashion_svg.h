// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SVG pictures of SoftHGNN's soft hyperedges on a Fashion-MNIST image: the image in grey, each patch outlined in the
// colour of the hyperedge it participates in most, the outline's opacity its participation, and a legend.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "loom/core/error.h"

namespace loom::examples {

struct HyperedgePicture {
  std::vector<float> pixels;          // H x W in [0, 1], row-major
  int64_t height = 28, width = 28, patch = 4;
  std::vector<float> participation;   // A [tokens, M] of this image, row-major (tokens in row-major tile order)
  int64_t num_hyperedges = 0;
  std::string title;
};

// Twenty distinguishable colours (hyperedge m gets colour m mod 20).
inline const char* hyperedge_colour(int64_t m) {
  static const char* kPalette[] = {"#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0",
                                   "#f032e6", "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8",
                                   "#800000", "#aaffc3", "#808000", "#ffd8b1", "#000075", "#808080"};
  return kPalette[m % 20];
}

// Writes the picture to `path`. Each patch n goes to m*(n) = argmax_m A[n, m]; its outline's opacity is
// A[n, m*] / max over the image's patches of A[n', m*(n')] (A is a softmax over tokens, so raw values are ~1/N),
// floored at 0.15 so that weak members stay visible.
inline void write_hyperedge_svg(const std::string& path, const HyperedgePicture& p) {
  const int64_t gw = p.width / p.patch, gh = p.height / p.patch, tokens = gw * gh, m_total = p.num_hyperedges;
  LOOM_CHECK(static_cast<int64_t>(p.participation.size()) == tokens * m_total, ValueError,
             "write_hyperedge_svg: participation has ", p.participation.size(), " entries, expected ", tokens, " x ",
             m_total);
  std::vector<int64_t> best(static_cast<size_t>(tokens));
  std::vector<float> strength(static_cast<size_t>(tokens));
  float top = 0;
  for (int64_t n = 0; n < tokens; ++n) {
    const float* row = p.participation.data() + n * m_total;
    const int64_t m = std::max_element(row, row + m_total) - row;
    best[static_cast<size_t>(n)] = m;
    strength[static_cast<size_t>(n)] = row[m];
    top = std::max(top, row[m]);
  }
  const int scale = 12, img_w = static_cast<int>(p.width) * scale, img_h = static_cast<int>(p.height) * scale;
  const int top_margin = 30, legend_x = img_w + 20, legend_w = 260;
  std::vector<int64_t> members(static_cast<size_t>(m_total), 0);
  std::vector<float> max_share(static_cast<size_t>(m_total), 0.f);
  for (int64_t n = 0; n < tokens; ++n) {
    const auto m = static_cast<size_t>(best[static_cast<size_t>(n)]);
    ++members[m];
    max_share[m] = std::max(max_share[m], strength[static_cast<size_t>(n)]);
  }
  int64_t used = 0;
  for (int64_t c : members) used += c > 0;
  const int height = std::max(img_h + top_margin + 10, top_margin + 60 + 20 * static_cast<int>(used));

  std::ofstream out(path);
  LOOM_CHECK(out.is_open(), Error, "write_hyperedge_svg: cannot open ", path, " for writing");
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                legend_x + legend_w, height);
  out << buf << "<text x=\"0\" y=\"18\" font-size=\"14\">" << p.title << "</text>\n<g transform=\"translate(0,"
      << top_margin << ")\">\n";
  for (int64_t i = 0; i < p.height; ++i) {
    for (int64_t j = 0; j < p.width; ++j) {
      const int g = static_cast<int>(std::lround(255.0 * std::clamp(p.pixels[static_cast<size_t>(i * p.width + j)],
                                                                     0.f, 1.f)));
      std::snprintf(buf, sizeof buf, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,%d)\"/>\n",
                    static_cast<int>(j) * scale, static_cast<int>(i) * scale, scale, scale, g, g, g);
      out << buf;
    }
  }
  const int cell = static_cast<int>(p.patch) * scale;
  for (int64_t n = 0; n < tokens; ++n) {
    const float opacity = std::max(0.15f, top > 0 ? strength[static_cast<size_t>(n)] / top : 1.f);
    std::snprintf(buf, sizeof buf,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"%s\" "
                  "stroke-width=\"3\" stroke-opacity=\"%.3f\"><title>patch %lld: hyperedge %lld, A = %.4f</title>"
                  "</rect>\n",
                  static_cast<int>(n % gw) * cell + 2.0, static_cast<int>(n / gw) * cell + 2.0, cell - 4, cell - 4,
                  hyperedge_colour(best[static_cast<size_t>(n)]), opacity, static_cast<long long>(n),
                  static_cast<long long>(best[static_cast<size_t>(n)]), strength[static_cast<size_t>(n)]);
    out << buf;
  }
  out << "</g>\n";
  int y = top_margin + 12;
  out << "<text x=\"" << legend_x << "\" y=\"" << y << "\" font-weight=\"bold\">hyperedge: patches, max A</text>\n";
  for (int64_t m = 0; m < m_total; ++m) {
    if (members[static_cast<size_t>(m)] == 0) continue;
    y += 20;
    std::snprintf(buf, sizeof buf,
                  "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>"
                  "<text x=\"%d\" y=\"%d\">e%lld: %lld patch(es), max A = %.3f</text>\n",
                  legend_x, y - 11, hyperedge_colour(m), legend_x + 20, y, static_cast<long long>(m),
                  static_cast<long long>(members[static_cast<size_t>(m)]), max_share[static_cast<size_t>(m)]);
    out << buf;
  }
  y += 28;
  out << "<text x=\"" << legend_x << "\" y=\"" << y << "\" font-size=\"10\">outline: the hyperedge the patch joins "
      << "most</text>\n<text x=\"" << legend_x << "\" y=\"" << y + 14 << "\" font-size=\"10\">opacity: its A / "
      << "the image's largest A (" << top << ")</text>\n</svg>\n";
  LOOM_CHECK(out.good(), Error, "write_hyperedge_svg: write error on ", path);
}

}  // namespace loom::examples
