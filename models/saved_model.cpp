// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Self-describing saved models: GnnOptions as JSON in the safetensors metadata, and the model rebuilt from it.
#include "loom/models/saved_model.h"

#include <nlohmann/json.hpp>

#include "core/detail/file_errors.h"
#include "loom/core/config.h"
#include "loom/core/error.h"

namespace loom::models {

namespace {

constexpr const char* kModelKey = "loom.model";
using nlohmann::json;

json options_json(const GnnOptions& o) {
  json j = {{"model", o.model()},
            {"in_features", o.in_features()},
            {"hidden", o.hidden()},
            {"out_features", o.out_features()},
            {"num_layers", o.num_layers()},
            {"dropout", o.dropout()},
            {"activation", to_string(o.activation())},
            {"norm", to_string(o.norm())},
            {"residual", o.residual()},
            {"jk", to_string(o.jk())},
            {"heads", o.heads()},
            {"out_heads", o.out_heads()},
            {"attention_dropout", o.attention_dropout()},
            {"aggr", o.aggr() ? json(to_string(*o.aggr())) : json(nullptr)},
            {"train_eps", o.train_eps()},
            {"mlp_norm", to_string(o.mlp_norm())},
            {"num_hyperedges", o.num_hyperedges()}};
  return j;
}

GnnOptions options_of(const json& j) {
  GnnOptions o(j.at("model").get<std::string>(), j.at("in_features").get<int64_t>(), j.at("hidden").get<int64_t>(),
               j.at("out_features").get<int64_t>());
  o.num_layers(j.at("num_layers").get<int>())
      .dropout(j.at("dropout").get<double>())
      .activation(parse_choice<Activation>(j.at("activation").get<std::string>()))
      .norm(parse_choice<NormLayer>(j.at("norm").get<std::string>()))
      .residual(j.at("residual").get<bool>())
      .jk(parse_choice<JumpingKnowledge>(j.at("jk").get<std::string>()))
      .heads(j.at("heads").get<int64_t>())
      .out_heads(j.at("out_heads").get<int64_t>())
      .attention_dropout(j.at("attention_dropout").get<double>())
      .train_eps(j.at("train_eps").get<bool>())
      .num_hyperedges(j.at("num_hyperedges").get<int64_t>());
  // Files written before mlp_norm existed have none inside GIN's MLP.
  if (j.contains("mlp_norm")) o.mlp_norm(parse_choice<NormLayer>(j.at("mlp_norm").get<std::string>()));
  if (!j.at("aggr").is_null()) o.aggr(parse_choice<Aggregation>(j.at("aggr").get<std::string>()));
  find_model(o.model());  // an unknown model is named now, not at construction
  return o;
}

}  // namespace

std::string options_to_json(const GnnOptions& options) { return options_json(options).dump(); }

GnnOptions options_from_json(const std::string& text) {
  try {
    return options_of(json::parse(text));
  } catch (const json::exception& e) {
    throw FormatError(std::string("model configuration: ") + e.what());
  } catch (const ValueError& e) {
    throw FormatError(std::string("model configuration: ") + e.what());
  }
}

std::string config_difference(const std::string& saved, const std::string& current) {
  json a, b;
  try {
    a = json::parse(saved);
    b = json::parse(current);
  } catch (const json::exception& e) {
    throw FormatError(std::string("model configuration: ") + e.what());
  }
  const auto show = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  // The saved file's keys in their order, then any the current configuration has beyond them.
  for (const auto& [key, value] : a.items()) {
    if (!b.contains(key)) return key + ": saved " + show(value) + ", absent here";
    if (b[key] != value) return key + ": saved " + show(value) + ", here " + show(b[key]);
  }
  for (const auto& [key, value] : b.items()) {
    if (!a.contains(key)) return key + ": absent in the file, here " + show(value);
  }
  return "";
}

void save(const NodeClassifier& model, const std::string& path, const SavedModelInfo& info, const Metadata& extra) {
  const json j = {{"format", 1},
                  {"loom_version", LOOM_VERSION},
                  {"options", options_json(model.options())},
                  {"features", to_string(info.features)},
                  {"singletons", info.singletons},
                  {"dataset", info.dataset},
                  {"seed", info.seed}};
  Metadata meta = extra;
  meta[kModelKey] = j.dump();
  nn::save(model, path, meta);
}

namespace {

SavedModel load_file(const std::string& path) {
  SafetensorsContents contents = read_safetensors(path);
  const auto it = contents.metadata.find(kModelKey);
  LOOM_CHECK(!contents.metadata.count("loom.link"), FormatError, "models::load: '", path,
             "' is a link prediction model: score node pairs with loom predict --pairs FILE");
  LOOM_CHECK(it != contents.metadata.end(), FormatError, "models::load: '", path, "' has no '", kModelKey,
             "' metadata: it holds weights but not which model they belong to (saved with nn::save?)");
  SavedModel out;
  try {
    const json j = json::parse(it->second);
    out.model = std::make_shared<NodeClassifier>(options_of(j.at("options")));
    out.info.features = parse_choice<FeatureTransform>(j.at("features").get<std::string>());
    out.info.singletons = j.at("singletons").get<bool>();
    out.info.dataset = j.at("dataset").get<std::string>();
    out.info.seed = j.at("seed").get<uint64_t>();
    out.info.loom_version = j.value("loom_version", std::string());
  } catch (const json::exception& e) {
    throw FormatError("models::load: '" + path + "' has a malformed model configuration: " + e.what());
  }
  out.model->load_state_dict(contents.tensors);
  out.model->eval();
  out.metadata = std::move(contents.metadata);
  return out;
}

}  // namespace

SavedModel load(const std::string& path) {
  return detail::reading_file(detail::str_cat("models::load: '", path, "'"), [&] { return load_file(path); });
}

void load_weights(NodeClassifier& model, const std::string& path) {
  detail::reading_file(detail::str_cat("models::load_weights: '", path, "'"), [&] {
    SafetensorsContents contents = read_safetensors(path);
    const auto it = contents.metadata.find(kModelKey);
    LOOM_CHECK(it != contents.metadata.end(), FormatError, "models::load_weights: '", path, "' has no '", kModelKey,
               "' metadata, so it cannot be checked against the model (use nn::load for plain weights)");
    std::string saved_options;
    try {
      saved_options = json::parse(it->second).at("options").dump();
    } catch (const json::exception& e) {
      throw FormatError("models::load_weights: '" + path + "' has a malformed model configuration: " + e.what());
    }
    const std::string diff = config_difference(saved_options, options_to_json(model.options()));
    LOOM_CHECK(diff.empty(), ValueError, "models::load_weights: '", path,
               "' was saved from a model configured differently: ", diff,
               " (models::load builds the model from the file's own configuration)");
    model.load_state_dict(contents.tensors);
  });
}

}  // namespace loom::models
