// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// docs.readme_snippets: every ```cpp block of README.md is a marked excerpt of a program under examples/ that the
// build compiles, so the README cannot show code that does not compile. A block starts with
//   // excerpt "NAME" of examples/FILE.cpp
// and the rest of it must equal the regions of that file between `// [readme NAME]` and `// [/readme NAME]`, each
// dedented, joined by one blank line. Every region a file marks must be shown somewhere.
//
//   readme_snippets README.md SOURCE_DIR      exit 0 when all agree, 1 naming the first difference of each block
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

using Lines = std::vector<std::string>;

bool read_lines(const std::string& path, Lines& out) {
  std::ifstream in(path);
  if (!in) return false;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return true;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// The regions of `file` named `name`, each dedented by its smallest indentation, joined by a blank line; the names of
// all regions the file marks go into `names`. Returns an error text, or "" when the markers are well formed.
std::string excerpt(const Lines& file, const std::string& name, Lines& out, std::set<std::string>& names) {
  static const std::regex open(R"(^// \[readme ([A-Za-z0-9_-]+)\]$)"), close(R"(^// \[/readme ([A-Za-z0-9_-]+)\]$)");
  std::string current;
  Lines region;
  size_t start = 0;
  auto flush = [&] {
    size_t indent = std::string::npos;
    for (const auto& l : region)
      if (!trim(l).empty()) indent = std::min(indent, l.find_first_not_of(' '));
    if (!out.empty()) out.push_back("");
    for (const auto& l : region) out.push_back(trim(l).empty() ? "" : l.substr(indent));
  };
  for (size_t i = 0; i < file.size(); ++i) {
    std::smatch m;
    const std::string t = trim(file[i]);
    if (std::regex_match(t, m, open)) {
      if (!current.empty()) return "line " + std::to_string(i + 1) + ": region '" + current + "' (opened at line " +
                                   std::to_string(start) + ") is not closed before another opens";
      current = m[1];
      names.insert(current);
      start = i + 1;
      region.clear();
    } else if (std::regex_match(t, m, close)) {
      if (m[1] != current) return "line " + std::to_string(i + 1) + ": closes '" + std::string(m[1]) + "', which is not open";
      if (current == name) flush();
      current.clear();
    } else if (!current.empty()) {
      region.push_back(file[i]);
    }
  }
  if (!current.empty()) return "region '" + current + "' opened at line " + std::to_string(start) + " is never closed";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: readme_snippets README.md SOURCE_DIR\n");
    return 2;
  }
  const std::string readme_path = argv[1], source_dir = argv[2];
  Lines readme;
  if (!read_lines(readme_path, readme)) {
    std::fprintf(stderr, "cannot read %s\n", readme_path.c_str());
    return 1;
  }
  static const std::regex marker(R"re(^// excerpt "([A-Za-z0-9_-]+)" of (examples/[A-Za-z0-9_./-]+)$)re");
  int blocks = 0, failures = 0;
  std::map<std::string, std::set<std::string>> marked, shown;  // file -> region names
  for (size_t i = 0; i < readme.size(); ++i) {
    if (trim(readme[i]) != "```cpp") continue;
    const size_t first = i + 1;
    Lines block;
    for (++i; i < readme.size() && trim(readme[i]) != "```"; ++i) block.push_back(readme[i]);
    ++blocks;
    std::smatch m;
    if (block.empty() || !std::regex_match(block[0], m, marker)) {
      std::fprintf(stderr,
                   "README.md:%zu: a C++ block must be an excerpt of a program under examples/ and start with\n"
                   "  // excerpt \"NAME\" of examples/FILE.cpp\n",
                   first);
      ++failures;
      continue;
    }
    const std::string name = m[1], file = m[2];
    Lines source, expected;
    if (!read_lines(source_dir + "/" + file, source)) {
      std::fprintf(stderr, "README.md:%zu: %s does not exist\n", first, file.c_str());
      ++failures;
      continue;
    }
    const std::string err = excerpt(source, name, expected, marked[file]);
    if (!err.empty()) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), err.c_str());
      ++failures;
      continue;
    }
    shown[file].insert(name);
    const Lines got(block.begin() + 1, block.end());
    if (expected.empty()) {
      std::fprintf(stderr, "README.md:%zu: %s marks no region '%s'\n", first, file.c_str(), name.c_str());
      ++failures;
      continue;
    }
    for (size_t k = 0; k < std::max(got.size(), expected.size()); ++k) {
      const std::string a = k < got.size() ? got[k] : "<end of block>";
      const std::string b = k < expected.size() ? expected[k] : "<end of region>";
      if (a != b) {
        std::fprintf(stderr, "README.md:%zu: block '%s' differs from %s:\n  README:  %s\n  example: %s\n",
                     first + 1 + k, name.c_str(), file.c_str(), a.c_str(), b.c_str());
        ++failures;
        break;
      }
    }
  }
  for (const auto& [file, names] : marked)
    for (const auto& name : names)
      if (!shown[file].count(name)) {
        std::fprintf(stderr, "%s: region '%s' is marked but no README block shows it\n", file.c_str(), name.c_str());
        ++failures;
      }
  if (blocks == 0) {
    std::fprintf(stderr, "%s has no ```cpp block: wrong file?\n", readme_path.c_str());
    return 1;
  }
  std::printf("%d C++ blocks of README.md checked, %d problems\n", blocks, failures);
  return failures == 0 ? 0 : 1;
}
