// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The pair-list reader (loom/data/pairs.h): .npy by its magic bytes, else delimited text, one pair per line.
#include "loom/data/pairs.h"

#include <cctype>
#include <fstream>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/data/npy.h"

namespace loom::data {

namespace {

// One integer field of a pair line; false when it is not one.
bool parse_id(const std::string& text, int64_t& id) {
  if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) return false;
  size_t used = 0;
  try {
    id = std::stoll(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == text.size();
}

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

PairList read_pairs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  LOOM_CHECK(in.good(), Error, "pairs file: cannot open '", path, "'");
  std::string head(6, '\0');
  in.read(head.data(), 6);
  PairList out;
  if (in.gcount() == 6 && head == "\x93NUMPY") {
    const Tensor t = data::read_npy(path);
    LOOM_CHECK(t.dtype() == kInt32 || t.dtype() == kInt64, FormatError, "pairs file ", path,
               ": a .npy of pairs must hold int32 or int64, got ", dtype_name(t.dtype()));
    LOOM_CHECK(t.dim() == 2 && (t.size(0) == 2 || t.size(1) == 2), FormatError, "pairs file ", path,
               ": a .npy of pairs must be [2, k] or [k, 2], got ", t.shape_str());
    // [2, k] is the edge_index layout and wins when both fit ([2, 2]).
    out.pairs = t.size(0) == 2 ? t.to(kInt64) : transpose(t.to(kInt64), 0, 1);
    return out;
  }
  in.clear();
  in.seekg(0);
  std::vector<int64_t> src, dst;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    const std::string text = trimmed(line);
    if (text.empty() || text[0] == '#') continue;
    // A comma separates when there is one (spaces around it allowed), else the first space or tab.
    const size_t comma = text.find(',');
    const size_t sep = comma != std::string::npos ? comma : text.find_first_of(" \t");
    int64_t u = 0, v = 0;
    const bool ok = sep != std::string::npos && parse_id(trimmed(text.substr(0, sep)), u) &&
                    parse_id(trimmed(text.substr(sep + 1)), v);
    // A header row ("src,dst") is allowed as the first row only.
    if (!ok && src.empty() && out.lines.empty() && text.find_first_of("0123456789") == std::string::npos) continue;
    LOOM_CHECK(ok, FormatError, "pairs file ", path, ":", number, ": expected 'src,dst' (two node ids), got '", text,
               "'");
    src.push_back(u);
    dst.push_back(v);
    out.lines.push_back(number);
  }
  src.insert(src.end(), dst.begin(), dst.end());
  out.pairs = from_vector<int64_t>(src, {2, static_cast<int64_t>(dst.size())});
  return out;
}

}  // namespace loom::data
