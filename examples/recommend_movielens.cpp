// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Train -> export -> serve from C++: LightGCN with BPR on MovieLens-100K's official split u1 (what
// `loom train --task recommend --model lightgcn --split u1` runs), its Recall/NDCG@10/20 as JSON, the embeddings
// written as a serving file, and that file answered by loom::serve: a user's top 5 unseen films and the films most
// similar to Toy Story, with their titles.
//   recommend_movielens [--epochs 200] [--out lightgcn_u1.loomemb] [--data DIR]
// The data folder is --data, else $LOOM_DATA/movielens-100k, else ../shared/data/movielens-100k. Exits 77 when it
// is missing (a skip for CTest, except under CI=true where the test runs without that skip code).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/random.h"
#include "loom/data/interactions.h"
#include "loom/models/recommend.h"
#include "loom/models/trainer.h"
#include "loom/serve/embedding_file.h"
#include "loom/serve/index.h"

namespace {

// items.tsv: id, title, release date, IMDb URL (tab-separated).
std::vector<std::string> read_titles(const std::string& dir, int64_t items) {
  std::vector<std::string> titles(items);
  std::ifstream in(dir + "/items.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string id, title;
    if (std::getline(row, id, '\t') && std::getline(row, title, '\t')) {
      const long long i = std::atoll(id.c_str());
      if (i >= 0 && i < items) titles[i] = title;
    }
  }
  return titles;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace loom;
  int epochs = 200;
  std::string out = "lightgcn_u1.loomemb", dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--epochs") epochs = std::atoi(argv[i + 1]);
    else if (flag == "--out") out = argv[i + 1];
    else if (flag == "--data") dir = argv[i + 1];
    else {
      std::fprintf(stderr, "recommend_movielens: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  if (dir.empty()) {
    const char* root = std::getenv("LOOM_DATA");
    dir = std::string(root ? root : "../shared/data") + "/movielens-100k";
  }
  if (!std::filesystem::exists(dir + "/ratings.npy")) {
    std::fprintf(stderr, "recommend_movielens: no MovieLens-100K at %s (set LOOM_DATA or --data)\n", dir.c_str());
    return 77;
  }
  try {
    // 1. Data: every rating an interaction, the official u1 split (80,000 train / 20,000 test ratings).
    const data::InteractionSplit split = data::official_split(dir, "u1");
    const data::UserItems train = data::user_items(split.train), test = data::user_items(split.test);
    const int64_t users = split.train.num_users, items = split.train.num_items;

    // 2. Train: LightGCN (K = 3, dimension 64) with BPR, Adam 1e-3, batch 2048, on the one trainer.
    manual_seed(0);
    models::LightGCN model(models::interaction_graph(train, users, items), users, items, 64, 3);
    models::RecommendationTask task(model, train, test, {2048, 1e-4});
    models::TrainerOptions options;
    options.epochs = epochs;
    options.lr = 1e-3;
    options.weight_decay = 0;  // BPR's L2 term is in the loss
    const models::TrainResult result = models::fit(model, task, options);
    std::printf("{\"model\":\"lightgcn\",\"split\":\"u1\",\"epochs\":%d,\"recall@10\":%.4f,\"ndcg@10\":%.4f,"
                "\"recall@20\":%.4f,\"ndcg@20\":%.4f}\n",
                epochs, result.metric("recall@10"), result.metric("ndcg@10"), result.metric("recall@20"),
                result.metric("ndcg@20"));

    // 3. Export: the final embeddings, ids and each user's training films, atomically.
    {
      NoGradGuard no_grad;
      model.eval();
      const auto [user_emb, item_emb] = model.embed();
      serve::save_embeddings(
          serve::tables_from_tensors(user_emb, item_emb, train.indptr, train.items, R"({"model":"lightgcn"})"), out);
    }

    // 4. Serve: what a backend does with the file.
    const auto index = serve::EmbeddingIndex::load(out);
    const std::vector<std::string> titles = read_titles(dir, items);
    std::printf("user 0, top 5 unseen films:\n");
    for (const serve::ScoredItem& r : index->recommend(0, 5)) std::printf("  %6.3f  %s\n", r.score, titles[r.id].c_str());
    std::printf("films most similar to %s:\n", titles[0].c_str());
    for (const serve::ScoredItem& r : index->similar_items(0, 5))
      std::printf("  %6.3f  %s\n", r.score, titles[r.id].c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "recommend_movielens: %s\n", e.what());
    return 1;
  }
}
