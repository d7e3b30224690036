#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyG's side of `loom train --task link` on the same Cora folder: GAE and VGAE with GAE's protocol.

    python3 bench/pyg_gae.py --data /work/shared/data/cora [--model gae|vgae|both] [--loss sampled|full]
                             [--features normalize|raw] [--seeds 10] [--epochs 200] [--device cpu|cuda]

The data are read from Loom's folder with numpy alone (edge_index.npy; features.mtx, MatrixMarket coordinate,
1-based), not from PyG's download, so both sides see the same graph. Per seed: torch.manual_seed(seed),
RandomLinkSplit(num_val=0.05, num_test=0.10, is_undirected=True, split_labels=True,
add_negative_train_samples=False) (validation and test links removed from the message-passing graph; one fixed
negative per validation/test link), encoder GCNConv(F, 32) -> ReLU -> GCNConv(32, 16) (VGAE: conv_mu and conv_logstd
GCNConv(32, 16) heads, as PyG's examples/autoencoder.py), Adam lr 0.01 without weight decay, 200 epochs, the test AUC
and AP of the epoch with the best validation AUC (never chosen on test).

Losses: `sampled` is PyG's GAE.recon_loss (BCE against one negative_sampling draw per positive, fresh every epoch):
the same-data anchor. `full` is the GAE paper's (the authors' TF code): weighted BCE over all N^2 pairs of the
training adjacency with self loops, pos_weight = (N^2 - E) / E, norm = N^2 / (2 (N^2 - E)), E the nonzeros of the
training adjacency. VGAE adds kl_loss() / N in both. Features: `normalize` row-normalises (PyG's NormalizeFeatures,
Loom's default for gcn), `raw` keeps Cora's binary features (the GAE paper's code).

Prints one JSON line per seed and one summary line: mean and std (population, as numpy) of test AUC and AP.
"""
import argparse
import json
import os
import statistics

import numpy as np
import torch
import torch.nn.functional as F
from torch_geometric.data import Data
from torch_geometric.nn import GAE, VGAE, GCNConv
from torch_geometric.transforms import RandomLinkSplit


def read_mtx(path):
    """A MatrixMarket coordinate matrix (real/integer/pattern, general) as a dense float32 array."""
    with open(path) as f:
        header = f.readline().split()
        if len(header) < 4 or header[1] != "matrix" or header[2] != "coordinate":
            raise ValueError(f"{path}: expected a MatrixMarket coordinate matrix, got {' '.join(header)}")
        pattern = header[3] == "pattern"
        line = f.readline()
        while line.startswith("%"):
            line = f.readline()
        rows, cols, nnz = (int(v) for v in line.split())
        x = np.zeros((rows, cols), dtype=np.float32)
        for _ in range(nnz):
            parts = f.readline().split()
            x[int(parts[0]) - 1, int(parts[1]) - 1] = 1.0 if pattern else float(parts[2])
    return x


def load(folder, features):
    x = read_mtx(os.path.join(folder, "features.mtx"))
    if features == "normalize":
        s = x.sum(1, keepdims=True)
        x = np.divide(x, s, out=np.zeros_like(x), where=s != 0)
    edge_index = np.load(os.path.join(folder, "edge_index.npy")).astype(np.int64)
    return Data(x=torch.from_numpy(x), edge_index=torch.from_numpy(edge_index))


class Encoder(torch.nn.Module):
    def __init__(self, in_channels, variational, hidden=32, out=16):
        super().__init__()
        self.variational = variational
        self.conv1 = GCNConv(in_channels, hidden)
        if variational:
            self.conv_mu = GCNConv(hidden, out)
            self.conv_logstd = GCNConv(hidden, out)
        else:
            self.conv2 = GCNConv(hidden, out)

    def forward(self, x, edge_index):
        h = F.relu(self.conv1(x, edge_index))
        if self.variational:
            return self.conv_mu(h, edge_index), self.conv_logstd(h, edge_index)
        return self.conv2(h, edge_index)


def full_loss(z, edge_index, n):
    """GAE's weighted reconstruction of the training adjacency with self loops (dense: Cora's 2708^2 fits)."""
    adj = torch.zeros(n, n, device=z.device)
    adj[edge_index[0], edge_index[1]] = 1.0
    adj.fill_diagonal_(0.0)
    e = adj.sum()
    label = adj + torch.eye(n, device=z.device)
    pos_weight = (n * n - e) / e
    norm = n * n / (2.0 * (n * n - e))
    logits = z @ z.t()
    return norm * F.binary_cross_entropy_with_logits(logits, label, pos_weight=pos_weight)


def run(data, model_name, loss_name, seed, epochs, device):
    torch.manual_seed(seed)
    split = RandomLinkSplit(num_val=0.05, num_test=0.10, is_undirected=True, split_labels=True,
                            add_negative_train_samples=False)
    train_data, val_data, test_data = split(data.clone())
    train_data, val_data, test_data = train_data.to(device), val_data.to(device), test_data.to(device)
    variational = model_name == "vgae"
    encoder = Encoder(data.num_features, variational)
    model = (VGAE(encoder) if variational else GAE(encoder)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    n = data.num_nodes
    best = {"val_auc": -1.0}
    for epoch in range(1, epochs + 1):
        model.train()
        optimizer.zero_grad()
        z = model.encode(train_data.x, train_data.edge_index)
        if loss_name == "full":
            loss = full_loss(z, train_data.edge_index, n)
        else:
            loss = model.recon_loss(z, train_data.pos_edge_label_index)
        if variational:
            loss = loss + (1.0 / n) * model.kl_loss()
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            z = model.encode(train_data.x, train_data.edge_index)  # VGAE.encode returns mu in eval mode
            val_auc, val_ap = model.test(z, val_data.pos_edge_label_index, val_data.neg_edge_label_index)
            if val_auc >= best["val_auc"]:  # ties go to the later epoch, as Loom's trainer
                test_auc, test_ap = model.test(z, test_data.pos_edge_label_index, test_data.neg_edge_label_index)
                best = {"val_auc": val_auc, "val_ap": val_ap, "test_auc": test_auc, "test_ap": test_ap,
                        "best_epoch": epoch}
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="/work/shared/data/cora")
    p.add_argument("--model", choices=["gae", "vgae", "both"], default="both")
    p.add_argument("--loss", choices=["sampled", "full"], default="sampled")
    p.add_argument("--features", choices=["normalize", "raw"], default="normalize")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = p.parse_args()
    data = load(a.data, a.features)
    import torch_geometric
    for model_name in (["gae", "vgae"] if a.model == "both" else [a.model]):
        runs = []
        for seed in range(a.seed, a.seed + a.seeds):
            r = run(data, model_name, a.loss, seed, a.epochs, a.device)
            r["seed"] = seed
            runs.append(r)
            print(json.dumps({"model": model_name, **r}), flush=True)
        auc = [r["test_auc"] for r in runs]
        ap = [r["test_ap"] for r in runs]
        print(json.dumps({
            "impl": "pyg", "pyg": torch_geometric.__version__, "torch": torch.__version__, "device": a.device,
            "task": "link", "model": model_name, "encoder": "gcn", "dataset": os.path.basename(a.data.rstrip("/")),
            "loss": a.loss, "features": a.features, "seeds": a.seeds, "epochs": a.epochs,
            "test_auc_mean": statistics.fmean(auc), "test_auc_std": float(np.std(auc)),
            "test_ap_mean": statistics.fmean(ap), "test_ap_std": float(np.std(ap)),
        }), flush=True)


if __name__ == "__main__":
    main()
