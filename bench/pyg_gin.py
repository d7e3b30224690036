# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyG's counterpart of `loom train --task graph --model gin --folds 10`: the GIN paper's network (GINConv with
Linear-BN-ReLU-Linear MLPs, BatchNorm + ReLU after each layer, sum readout of every layer including the input, one
Linear per layer, dropout 0.5 on the scores, summed) on the shared folder's folds, under both protocols:

  gin_protocol : train on each fold's training graphs, score the test fold every epoch, average the curves over
                 folds, report mean ± std at the best epoch of the average (Xu et al. 2019).
  fair_protocol: a stratified 10% holdout of the training fold picks the epoch; the test fold is scored once with
                 that epoch's weights (Errica et al. 2020).

Same settings as Loom's defaults: hidden 32, 5 layers counting the input, batch 32, Adam lr 0.01 halved every 50
epochs, 350 epochs, no weight decay. Not run in Loom's CI (torch is absent there).

  python bench/pyg_gin.py --data ../shared/data/mutag [--train-eps] [--seeds 1]
"""
import argparse
import copy
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.data import Data
from torch_geometric.loader import DataLoader
from torch_geometric.nn import GINConv, global_add_pool


def load_folder(d):
    ptr = np.load(os.path.join(d, "graph_ptr.npy"))
    ei = np.load(os.path.join(d, "edge_index.npy"))
    x = torch.from_numpy(np.load(os.path.join(d, "x.npy")))
    y = np.load(os.path.join(d, "y.npy"))
    graphs = []
    for g in range(len(ptr) - 1):
        lo, hi = ptr[g], ptr[g + 1]
        mask = (ei[0] >= lo) & (ei[0] < hi)
        graphs.append(Data(x=x[lo:hi], edge_index=torch.from_numpy(ei[:, mask] - lo), y=torch.tensor([int(y[g])])))
    folds = []
    k = 0
    while os.path.isdir(os.path.join(d, "splits", str(k))):
        s = os.path.join(d, "splits", str(k))
        folds.append((np.load(os.path.join(s, "train_idx.npy")), np.load(os.path.join(s, "test_idx.npy"))))
        k += 1
    return graphs, y, folds


class GIN(nn.Module):
    def __init__(self, f, hidden, classes, layers=5, dropout=0.5, train_eps=False):
        super().__init__()
        self.convs, self.norms = nn.ModuleList(), nn.ModuleList()
        for k in range(layers - 1):
            mlp = nn.Sequential(nn.Linear(f if k == 0 else hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                                nn.Linear(hidden, hidden))
            self.convs.append(GINConv(mlp, train_eps=train_eps))
            self.norms.append(nn.BatchNorm1d(hidden))
        self.heads = nn.ModuleList([nn.Linear(f if k == 0 else hidden, classes) for k in range(layers)])
        self.dropout = dropout

    def forward(self, b):
        hs, h = [b.x], b.x
        for conv, norm in zip(self.convs, self.norms):
            h = F.relu(norm(conv(h, b.edge_index)))
            hs.append(h)
        return sum(F.dropout(head(global_add_pool(h, b.batch)), self.dropout, self.training)
                   for head, h in zip(self.heads, hs))


def stratified_holdout(y, train, fraction, rng):
    val = []
    for c in np.unique(y[train]):
        members = rng.permutation(train[y[train] == c])
        val.extend(members[: int(round(fraction * len(members)))])
    val = np.sort(np.array(val, dtype=np.int64))
    return np.setdiff1d(train, val), val


def accuracy(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for b in loader:
            correct += int((model(b).argmax(1) == b.y).sum())
            total += b.num_graphs
    return correct / total


def run(graphs, train, val, a, seed, f, classes):
    """Trains on `train`, scores `val` every epoch; returns the curve and the weights of the best `val` epoch."""
    torch.manual_seed(seed)
    model = GIN(f, a.hidden, classes, train_eps=a.train_eps)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=50, gamma=0.5)
    loader = DataLoader([graphs[i] for i in train], batch_size=a.batch, shuffle=True)
    val_loader = DataLoader([graphs[i] for i in val], batch_size=512)
    curve, best, best_state = [], -1.0, None
    for _ in range(a.epochs):
        model.train()
        for b in loader:
            opt.zero_grad()
            F.cross_entropy(model(b), b.y).backward()
            opt.step()
        sched.step()
        acc = accuracy(model, val_loader)
        curve.append(acc)
        if acc >= best:  # ties go to the later epoch, as Loom's trainer does
            best, best_state = acc, copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    return curve, model


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="../shared/data/mutag")
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--epochs", type=int, default=350)
    p.add_argument("--train-eps", action="store_true")
    p.add_argument("--seeds", type=int, default=1)
    a = p.parse_args()
    graphs, y, folds = load_folder(a.data)
    f, classes = graphs[0].x.size(1), int(y.max()) + 1
    curves, fair = [], []
    for seed in range(a.seeds):
        for k, (train, test) in enumerate(folds):
            curve, _ = run(graphs, train, test, a, seed * 1000 + k, f, classes)
            curves.append(curve)
            inner, holdout = stratified_holdout(y, train, 0.1, np.random.default_rng(seed * 1000 + k))
            _, model = run(graphs, inner, holdout, a, seed * 1000 + k, f, classes)
            fair.append(accuracy(model, DataLoader([graphs[i] for i in test], batch_size=512)))
    mean_curve = np.mean(curves, axis=0)
    best = int(np.argmax(mean_curve))
    at_best = [c[best] for c in curves]
    print(json.dumps({"task": "graph", "impl": "pyg", "model": "gin", "dataset": os.path.basename(a.data.rstrip("/")),
                      "folds": len(folds), "seeds": a.seeds,
                      "gin_protocol": {"acc_mean": float(np.mean(at_best)), "acc_std": float(np.std(at_best)),
                                       "epoch": best + 1},
                      "fair_protocol": {"acc_mean": float(np.mean(fair)), "acc_std": float(np.std(fair))}}))


if __name__ == "__main__":
    main()
