// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Saved link models: the weights and the message-passing graph as safetensors, the configuration as metadata, so a
// file scores pairs on its data folder without redrawing the split it was trained on.
#include <nlohmann/json.hpp>

#include "core/detail/file_errors.h"
#include "loom/core/config.h"
#include "loom/core/error.h"
#include "loom/models/link_model.h"
#include "loom/models/saved_model.h"

namespace loom::models {

namespace {

constexpr const char* kLinkKey = "loom.link";
constexpr const char* kEdgesKey = "graph.edge_index";
using nlohmann::json;

SavedLinkModel load_file(const std::string& path) {
  SafetensorsContents contents = read_safetensors(path);
  const auto it = contents.metadata.find(kLinkKey);
  LOOM_CHECK(it != contents.metadata.end(), FormatError, "load_link_model: '", path, "' holds no link model (no '",
             kLinkKey, "' metadata)",
             contents.metadata.count("loom.model") ? ": it is a node model; use loom predict without --pairs" : "");
  SavedLinkModel out;
  try {
    const json j = json::parse(it->second);
    LinkModelOptions o(options_from_json(j.at("encoder").dump()));
    o.variational(j.at("variational").get<bool>())
        .decoder(parse_choice<LinkDecoder>(j.at("decoder").get<std::string>()))
        .num_relations(j.at("num_relations").get<int64_t>());
    out.model = std::make_shared<LinkModel>(o);
    out.info.features = parse_choice<FeatureTransform>(j.at("features").get<std::string>());
    out.info.dataset = j.at("dataset").get<std::string>();
    out.info.seed = j.at("seed").get<uint64_t>();
    out.info.num_nodes = j.at("num_nodes").get<int64_t>();
  } catch (const json::exception& e) {
    throw FormatError("load_link_model: '" + path + "' has a malformed link model configuration: " + e.what());
  } catch (const ValueError& e) {
    throw FormatError("load_link_model: '" + path + "' has an invalid link model configuration: " + e.what());
  }
  const Tensor* edges = contents.tensors.find(kEdgesKey);
  LOOM_CHECK(edges && edges->dtype() == kInt64 && edges->dim() == 2 && edges->size(0) == 2, FormatError,
             "load_link_model: '", path, "' lacks the message-passing graph ('", kEdgesKey, "' int64 [2, E])");
  out.info.edge_index = *edges;
  NamedTensors weights;
  for (const auto& [name, t] : contents.tensors)
    if (name != kEdgesKey) weights.insert(name, t);
  out.model->load_state_dict(weights);
  out.model->eval();
  return out;
}

}  // namespace

void save_link_model(const LinkModel& model, const std::string& path, const SavedLinkInfo& info) {
  LOOM_CHECK(info.edge_index.defined() && info.edge_index.dim() == 2 && info.edge_index.size(0) == 2, ValueError,
             "save_link_model: the info's edge_index must be the message-passing graph's int64 [2, E]");
  const LinkModelOptions& o = model.options();
  const json j = {{"format", 1},
                  {"loom_version", LOOM_VERSION},
                  {"encoder", json::parse(options_to_json(o.encoder()))},
                  {"variational", o.variational()},
                  {"decoder", to_string(o.decoder())},
                  {"num_relations", o.num_relations()},
                  {"features", to_string(info.features)},
                  {"dataset", info.dataset},
                  {"seed", info.seed},
                  {"num_nodes", info.num_nodes}};
  NamedTensors tensors = model.state_dict();
  tensors.insert(kEdgesKey, info.edge_index.to(kInt64));
  save_safetensors(path, tensors, {{kLinkKey, j.dump()}});
}

SavedLinkModel load_link_model(const std::string& path) {
  return detail::reading_file(detail::str_cat("load_link_model: '", path, "'"), [&] { return load_file(path); });
}

bool is_link_model(const Metadata& metadata) { return metadata.count(kLinkKey) != 0; }

}  // namespace loom::models
