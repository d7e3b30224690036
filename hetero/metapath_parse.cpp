// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Meta-path names: type initials ("APCPA") or relation lists ("writes,written_by"), resolved against a graph, with
// errors that say which letter or which relation went wrong and why.
#include <cctype>

#include "loom/core/error.h"
#include "loom/hetero/metapath.h"

namespace loom::hetero {
namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "none" : s;
}

bool is_relation_name(const HeteroGraph& g, const std::string& s) {
  for (const EdgeType& et : g.relations())
    if (et.rel == s || et.str() == s) return true;
  return false;
}

// The one node type whose name starts with `letter` (case-insensitive).
const std::string& type_of_initial(const HeteroGraph& g, const std::string& spec, size_t pos) {
  const char letter = static_cast<char>(std::tolower(static_cast<unsigned char>(spec[pos])));
  std::vector<const std::string*> hits;
  for (const std::string& t : g.node_types())
    if (static_cast<char>(std::tolower(static_cast<unsigned char>(t[0]))) == letter) hits.push_back(&t);
  LOOM_CHECK(!hits.empty(), ValueError, "parse_metapath('", spec, "'): letter ", pos, " '", spec[pos],
             "' is the initial of no node type (node types: ", join(g.node_types()), ")");
  if (hits.size() > 1) {
    std::vector<std::string> names;
    for (const auto* h : hits) names.push_back(*h);
    throw ValueError(detail::str_cat("parse_metapath('", spec, "'): letter ", pos, " '", spec[pos],
                                     "' is the initial of several node types (", join(names),
                                     "): name the relations instead, e.g. \"rel1,rel2\""));
  }
  return *hits[0];
}

}  // namespace

MetaPath make_metapath(const HeteroGraph& g, const std::vector<EdgeType>& relations, std::string name) {
  if (name.empty())
    for (const EdgeType& et : relations) name += (name.empty() ? "" : ",") + et.rel;
  const std::string who = "metapath '" + name + "'";
  LOOM_CHECK(!relations.empty(), ValueError, who, ": a meta-path needs at least one relation");
  for (size_t i = 0; i < relations.size(); ++i) {
    LOOM_CHECK(g.has_relation(relations[i]), ValueError, who, ": relation ", i, " '", relations[i].str(),
               "' is not in the graph");
    if (i > 0)
      LOOM_CHECK(relations[i].src == relations[i - 1].dst, ValueError, who, ": relation ", i, " '", relations[i].str(),
                 "' starts at '", relations[i].src, "' but relation ", i - 1, " '", relations[i - 1].str(),
                 "' ends at '", relations[i - 1].dst, "': relations must chain");
  }
  return MetaPath{std::move(name), relations};
}

MetaPath parse_metapath(const HeteroGraph& g, const std::string& spec) {
  LOOM_CHECK(!spec.empty(), ValueError, "parse_metapath: the meta-path is empty");
  std::vector<EdgeType> rels;
  if (spec.find(',') != std::string::npos || spec.find("__") != std::string::npos || is_relation_name(g, spec)) {
    const std::vector<std::string> names = split_commas(spec);
    for (size_t i = 0; i < names.size(); ++i) {
      try {
        rels.push_back(g.relation(names[i]));
      } catch (const ValueError& e) {
        throw ValueError(detail::str_cat("parse_metapath('", spec, "'): relation ", i, ": ", e.what()));
      }
    }
    return make_metapath(g, rels, spec);
  }
  LOOM_CHECK(spec.size() >= 2, ValueError, "parse_metapath('", spec,
             "'): give node-type initials (at least two, \"APA\") or relation names separated by ','");
  for (size_t i = 0; i + 1 < spec.size(); ++i) {
    const std::string &src = type_of_initial(g, spec, i), &dst = type_of_initial(g, spec, i + 1);
    std::vector<const EdgeType*> hits;
    for (const EdgeType& et : g.relations())
      if (et.src == src && et.dst == dst) hits.push_back(&et);
    LOOM_CHECK(!hits.empty(), ValueError, "parse_metapath('", spec, "'): step ", i, " (", spec[i], spec[i + 1],
               "): no relation from '", src, "' to '", dst, "'");
    if (hits.size() > 1) {
      std::vector<std::string> names;
      for (const auto* h : hits) names.push_back(h->str());
      throw ValueError(detail::str_cat("parse_metapath('", spec, "'): step ", i, " (", spec[i], spec[i + 1],
                                       "): several relations from '", src, "' to '", dst, "' (", join(names),
                                       "): name the relations instead"));
    }
    rels.push_back(*hits[0]);
  }
  return make_metapath(g, rels, spec);
}

}  // namespace loom::hetero
