// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: the CSV/TSV table reader of `loom import`, as import_dataset uses it: parsed under each
// delimiter rule and header rule, then every field read as an integer, a number and a finite number.
#include "fuzz_common.h"
#include "loom/data/table.h"

namespace {

void read_every_field(const loom::data::Table& t) {
  for (int64_t r = 0; r < t.num_rows(); ++r)
    for (int64_t c = 0; c < t.num_columns(); ++c) {
      loom::fuzz::accept_typed_errors([&] { t.integer(r, c); });
      loom::fuzz::accept_typed_errors([&] { t.finite_number(r, c); });
      (void)t.where(r, c);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using loom::data::HeaderRule;
  const std::string text(reinterpret_cast<const char*>(data), size);
  // The first byte picks the file name (delimiter by extension or detected) and the header rule, so that one
  // corpus reaches every path; the table is the rest.
  const char* names[3] = {"f.csv", "f.tsv", "f.txt"};
  const HeaderRule rules[3] = {HeaderRule::kAuto, HeaderRule::kPresent, HeaderRule::kAbsent};
  const unsigned pick = size > 0 ? static_cast<unsigned char>(text[0]) : 0;
  return loom::fuzz::accept_typed_errors([&] {
    const loom::data::Table t = loom::data::parse_table(size > 0 ? text.substr(1) : text, names[pick % 3],
                                                        {0, rules[(pick / 3) % 3]});
    read_every_field(t);
  });
}
