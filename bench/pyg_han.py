#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyG's HANConv on a Loom heterogeneous folder (DBLP), the reference of `loom train --model han`.

    python3 bench/pyg_han.py --data ../shared/data/dblp [--split heco-20] [--metapaths APA,APCPA,APTPA]
                             [--seeds 10] [--epochs 200] [--patience 100] [--hidden 128] [--device cpu|cuda]

The folder is read with numpy alone (meta.json, nodes/author/features.mtx, edges/*.npy, y.npy and the split), not
from PyG's download, so both sides see the same graph and the same split ("" = the top-level 400/400/3257 files,
else splits/<name>/). Meta-path graphs come from AddMetaPaths(drop_orig_edge_types=True,
drop_unconnected_node_types=True), which keeps the diagonal the product gives (on APA every author with a paper).
Model, as PyG's examples/hetero/han_imdb.py: HANConv(F, hidden, heads=8, dropout=0.6) -> Linear(hidden, C); the
semantic vector has hidden entries. Protocol, as Loom's: Adam lr 0.005, weight decay 0.001, up to 200 epochs,
early stopping after 100 epochs without a lower validation loss, the test scores of the epoch with the lowest
validation loss (never chosen on test). Loom's HAN differs in its model (the paper's: a GATConv per meta-path,
8 x 8 units, ELU, q of 128 entries, self loops on every node); --hidden 64 gives PyG the same width.

Prints an env line, one JSON line per seed (test Macro-F1, Micro-F1, best epoch, median epoch ms: one training step
and one evaluation forward, as Loom's trainer times an epoch) and a summary line (population std, as numpy).
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
import torch_geometric
import torch_geometric.transforms as T
from torch_geometric.data import HeteroData
from torch_geometric.nn import HANConv


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


def load(folder, split):
    meta = json.load(open(os.path.join(folder, "meta.json")))
    target = meta["target_node_type"]
    data = HeteroData()
    for t, n in meta["counts"]["nodes"].items():
        data[t].num_nodes = n
    # HAN reads the target type's features only; the others are never projected.
    data[target].x = torch.from_numpy(read_mtx(os.path.join(folder, "nodes", target, "features.mtx")))
    for f in sorted(os.listdir(os.path.join(folder, "edges"))):
        if f.endswith(".npy"):
            src, rel, dst = f[:-4].split("__")
            data[src, rel, dst].edge_index = torch.from_numpy(np.load(os.path.join(folder, "edges", f))).long()
    data[target].y = torch.from_numpy(np.load(os.path.join(folder, "y.npy"))).long()
    sdir = folder if not split else os.path.join(folder, "splits", split)
    for part in ("train", "val", "test"):
        data[target][part + "_idx"] = torch.from_numpy(np.load(os.path.join(sdir, part + "_idx.npy"))).long()
    return data, target


def edge_types(data, spec):
    """'APCPA' -> the one relation per step between the types the initials name."""
    types = []
    for ch in spec:
        hits = [t for t in data.node_types if t[0].lower() == ch.lower()]
        assert len(hits) == 1, f"{spec}: '{ch}' names {len(hits)} node types"
        types.append(hits[0])
    out = []
    for s, d in zip(types, types[1:]):
        hits = [et for et in data.edge_types if et[0] == s and et[2] == d]
        assert len(hits) == 1, f"{spec}: {len(hits)} relations from {s} to {d}"
        out.append(hits[0])
    return out


class HAN(torch.nn.Module):
    def __init__(self, in_channels, out_channels, metadata, target, hidden, heads):
        super().__init__()
        self.target = target
        self.conv = HANConv(in_channels, hidden, heads=heads, dropout=0.6, metadata=metadata)
        self.lin = torch.nn.Linear(hidden, out_channels)

    def forward(self, x_dict, edge_index_dict):
        return self.lin(self.conv(x_dict, edge_index_dict)[self.target])


def macro_f1(pred, y, classes):
    """Mean over classes of 2 TP / (2 TP + FP + FN); 0 for a class never true nor predicted (sklearn's
    zero_division=0), as Loom's models::macro_f1."""
    f1 = []
    for c in range(classes):
        tp = int(((pred == c) & (y == c)).sum())
        fp = int(((pred == c) & (y != c)).sum())
        fn = int(((pred != c) & (y == c)).sum())
        f1.append(0.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(f1) / classes


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def run(data, target, args, seed, device):
    torch.manual_seed(seed)
    classes = int(data[target].y.max()) + 1
    model = HAN(data[target].x.size(1), classes, data.metadata(), target, args.hidden, 8).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=0.005, weight_decay=0.001)
    y = data[target].y
    idx = {p: data[target][p + "_idx"] for p in ("train", "val", "test")}
    best = (float("inf"), 0, None)
    since, times = 0, []
    for epoch in range(1, args.epochs + 1):
        sync(device)
        t0 = time.perf_counter()
        model.train()
        opt.zero_grad()
        out = model(data.x_dict, data.edge_index_dict)
        F.cross_entropy(out[idx["train"]], y[idx["train"]]).backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            out = model(data.x_dict, data.edge_index_dict)
            val_loss = float(F.cross_entropy(out[idx["val"]], y[idx["val"]]))
        sync(device)
        times.append((time.perf_counter() - t0) * 1e3)
        if val_loss <= best[0]:  # ties to the later epoch, as Loom's trainer
            pred = out.argmax(1)
            test = (macro_f1(pred[idx["test"]], y[idx["test"]], classes),
                    float((pred[idx["test"]] == y[idx["test"]]).float().mean()))
            best, since = (val_loss, epoch, test), 0
        else:
            since += 1
            if since >= args.patience:
                break
    return {"seed": seed, "test_macro_f1": best[2][0], "test_micro_f1": best[2][1], "best_epoch": best[1],
            "epochs": epoch, "epoch_ms": statistics.median(times)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(os.environ.get("LOOM_DATA", "../shared/data"), "dblp"))
    ap.add_argument("--split", default="", help="'' (the folder's own) or a folder under splits/ (heco-20)")
    ap.add_argument("--metapaths", default="APA,APCPA,APTPA")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--patience", type=int, default=100)
    ap.add_argument("--hidden", type=int, default=128, help="HANConv's out_channels (PyG's example: 128)")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    device = torch.device(args.device)
    data, target = load(args.data, args.split)
    paths = [edge_types(data, s) for s in args.metapaths.split(",")]
    t0 = time.perf_counter()
    data = T.AddMetaPaths(metapaths=paths, drop_orig_edge_types=True, drop_unconnected_node_types=True)(data)
    build_ms = (time.perf_counter() - t0) * 1e3
    data = data.to(device)
    print(json.dumps({"env": "pyg", "torch": torch.__version__, "pyg": torch_geometric.__version__,
                      "device": args.device, "threads": torch.get_num_threads(), "data": args.data,
                      "split": args.split or "default", "metapath_edges": [int(data[et].edge_index.size(1))
                                                                           for et in data.edge_types],
                      "metapath_ms": round(build_ms, 1)}), flush=True)
    runs = []
    for seed in range(args.seeds):
        r = run(data, target, args, seed, device)
        runs.append(r)
        print(json.dumps({"workload": "han", "impl": "pyg", **r}), flush=True)
    f1 = np.array([r["test_macro_f1"] for r in runs])
    mi = np.array([r["test_micro_f1"] for r in runs])
    print(json.dumps({"workload": "han", "impl": "pyg", "summary": True, "split": args.split or "default",
                      "seeds": args.seeds, "test_macro_f1_mean": float(f1.mean()), "test_macro_f1_std": float(f1.std()),
                      "test_micro_f1_mean": float(mi.mean()), "test_micro_f1_std": float(mi.std()),
                      "epoch_ms": statistics.median(r["epoch_ms"] for r in runs)}), flush=True)


if __name__ == "__main__":
    main()
