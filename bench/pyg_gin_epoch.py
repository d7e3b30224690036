# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyG's side of bench/gin_epoch.cpp: one training epoch of the GIN paper's network (bench/pyg_gin.py's GIN:
GINConv with Linear-BN-ReLU-Linear MLPs, BatchNorm + ReLU, global_add_pool of every layer) on shuffled batches from
torch_geometric.loader.DataLoader, collation included, Adam lr 0.01. Generated graphs of 20-40 nodes (the generator
of bench/pyg_graph_batch.py) or MUTAG (--data). Prints the same JSON keys. Not run in Loom's CI (torch is absent).

  python bench/pyg_gin_epoch.py --device cuda --graphs 100000 --batch 32 128
  python bench/pyg_gin_epoch.py --device cuda --data ../shared/data/mutag
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch_geometric.loader import DataLoader

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyg_gin import GIN  # noqa: E402
from pyg_graph_batch import generate, load_folder  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="")
    p.add_argument("--graphs", type=int, default=100000)
    p.add_argument("--min-nodes", type=int, default=20)
    p.add_argument("--max-nodes", type=int, default=40)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--layers", type=int, default=5)
    p.add_argument("--batch", type=int, nargs="+", default=[32, 128])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    ds = load_folder(a.data) if a.data else generate(a.graphs, a.min_nodes, a.max_nodes, 7)
    name = os.path.basename(os.path.normpath(a.data)) if a.data else "generated"
    dev = torch.device(a.device)
    classes = int(max(int(d.y) for d in ds)) + 1
    print(json.dumps({"env": {"dataset": name, "graphs": len(ds), "torch": torch.__version__,
                              "threads": torch.get_num_threads(), "device": a.device}}))
    for b in a.batch:
        torch.manual_seed(0)
        model = GIN(ds[0].x.size(1), a.hidden, classes, layers=a.layers).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        loader = DataLoader(ds, batch_size=b, shuffle=True)
        times, loss = [], 0.0
        for r in range(a.warmup + a.reps):
            model.train()
            t0 = time.perf_counter()
            total = 0.0
            for batch in loader:
                batch = batch.to(dev)
                opt.zero_grad()
                out = F.cross_entropy(model(batch), batch.y)
                out.backward()
                opt.step()
                total += float(out)  # as Loom's trainer, which reads each step's loss to stop on NaN
            if dev.type == "cuda":
                torch.cuda.synchronize()
            if r >= a.warmup:
                times.append(time.perf_counter() - t0)
            loss = total / len(loader)
        ms = 1e3 * float(np.median(times))
        print(json.dumps({"workload": "gin_epoch", "impl": "pyg", "device": a.device, "dataset": name, "batch": b,
                          "hidden": a.hidden, "layers": a.layers, "ms_per_epoch": round(ms, 2),
                          "graphs_per_s": round(len(ds) / (ms / 1e3)), "final_loss": round(loss, 4)}), flush=True)


if __name__ == "__main__":
    main()
