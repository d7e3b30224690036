// The `loom` command line. `loom train` fits a node classifier (GCN by default; SAGE, GAT, GATv2, GIN, SINC-GCN or
// an MLP) on a data-set folder or, by default, on a generated contextual stochastic block model, printing one
// progress line per epoch and a final line of JSON.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "apps/info.h"
#include "apps/train.h"

int main(int argc, char** argv) {
  CLI::App app{"loom: graph and hypergraph neural networks"};
  app.require_subcommand(1);
  loom::cli::TrainArgs a;
  CLI::App* train = app.add_subcommand("train", "train a node classifier and report test accuracy");
  train
      ->add_option("--model", a.model,
                   "gcn, sage, gat, gatv2, gin, sinc, mlp; hypergraph models hgnn, hgnnp, hgat, softhgnn")
      ->check(CLI::IsMember(
          {"gcn", "sage", "gat", "gatv2", "gin", "sinc", "mlp", "hgnn", "hgnnp", "hgat", "softhgnn"}));
  train->add_option("--data", a.data,
                    "data-set folder, or a name under $LOOM_DATA (default: a generated CSBM graph)");
  train->add_option("--epochs", a.epochs, "training epochs (default: the model's, 200 for most)")
      ->check(CLI::PositiveNumber);
  train->add_option("--lr", a.lr, "Adam learning rate (default: the model's)")->check(CLI::PositiveNumber);
  train->add_option("--weight-decay", a.weight_decay, "L2 weight decay (default 5e-4)")->check(CLI::NonNegativeNumber);
  train->add_option("--hidden", a.hidden, "hidden units (per head for gat/gatv2/hgat; default: the model's)")
      ->check(CLI::PositiveNumber);
  train->add_option("--layers", a.layers, "graph layers")->check(CLI::PositiveNumber);
  train->add_option("--heads", a.heads, "attention heads of the hidden layers (gat/gatv2/hgat)")
      ->check(CLI::PositiveNumber);
  train->add_option("--dropout", a.dropout, "dropout on each layer's input")->check(CLI::Range(0.0, 0.99));
  train->add_option("--attention-dropout", a.attention_dropout, "dropout on attention coefficients (gat/gatv2/hgat)")
      ->check(CLI::Range(0.0, 0.99));
  train->add_option("--activation", a.activation, "relu, elu, gelu, leaky_relu or tanh")
      ->check(CLI::IsMember({"relu", "elu", "gelu", "leaky_relu", "tanh"}));
  train->add_option("--norm", a.norm, "none, batch or layer (after each hidden layer)")
      ->check(CLI::IsMember({"none", "batch", "layer"}));
  train->add_flag("--residual", a.residual, "residual connections where widths agree");
  train->add_option("--jk", a.jk, "jumping knowledge: none, cat, max or sum")
      ->check(CLI::IsMember({"none", "cat", "max", "sum"}));
  train->add_option("--hyperedges", a.num_hyperedges, "softhgnn: learned soft hyperedges (default 16)")
      ->check(CLI::PositiveNumber);
  train->add_option("--aggr", a.aggr, "sage: mean, max or sum; sinc: sum, mean or sym");
  train->add_flag("--normalize-features", a.normalize_features, "divide each feature row by its sum (as PyG's NormalizeFeatures)");
  train->add_flag("--no-singletons", a.no_singletons,
                  "hypergraph folders: do not add a singleton hyperedge per vertex (added by default, as AllSet does)");
  train->add_option("--seed", a.seed, "random seed (data generation, initialisation, dropout, random splits)");
  train->add_option("--seeds", a.seeds, "runs with seeds seed, seed+1, ...; reports mean ± std")->check(CLI::PositiveNumber);
  train->add_option("--split", a.split, "the folder's own split (default), split k (splits/k), or random:TRAIN,VAL");
  train->add_option("--device", a.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  train->add_option("--save", a.save, "write the best weights (best validation run) to this .safetensors file");
  train->add_option("--log", a.log, "write per-epoch metrics (seed,epoch,loss,train_acc,val_acc,seconds) as CSV");
  train->add_option("--patience", a.patience, "early stopping: epochs without validation gain (0: off)");
  train->add_flag("--quiet", a.quiet, "no progress lines");
  // The generated default graph (contextual stochastic block model), used when --data is not given.
  train->add_option("--nodes", a.csbm.num_nodes, "generated graph: nodes")->check(CLI::PositiveNumber);
  train->add_option("--classes", a.csbm.num_classes, "generated graph: classes")->check(CLI::PositiveNumber);
  train->add_option("--features", a.csbm.num_features, "generated graph: feature dimension")->check(CLI::PositiveNumber);
  train->add_option("--avg-degree", a.csbm.avg_degree, "generated graph: mean degree")->check(CLI::NonNegativeNumber);
  train->add_option("--homophily", a.csbm.homophily, "generated graph: fraction of same-class edges")
      ->check(CLI::Range(0.0, 1.0));
  train->add_option("--signal", a.csbm.signal, "generated graph: distance between class means (noise units)")
      ->check(CLI::NonNegativeNumber);
  loom::cli::InfoArgs info_args;
  CLI::App* info = loom::cli::add_info_command(app, info_args);
  CLI11_PARSE(app, argc, argv);
  try {
    if (*train) return loom::cli::run_train(a);
    if (*info) return loom::cli::run_info(info_args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loom: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
