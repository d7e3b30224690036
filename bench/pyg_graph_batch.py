# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyG's side of bench/graph_batch.cpp: one shuffled epoch through torch_geometric.loader.DataLoader (collation into
a Batch: block-diagonal edge_index, x, batch vector, ptr) on the same kind of generated graphs (or MUTAG from the
shared folder), printing the same JSON keys. Not run in Loom's CI (torch is absent there).

  python bench/pyg_graph_batch.py                       # 10000 generated graphs of 10-28 nodes
  python bench/pyg_graph_batch.py --data ../shared/data/mutag
  python bench/pyg_graph_batch.py --workers 2            # num_workers > 0: collation in worker processes
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.loader import DataLoader


def generate(graphs, lo, hi, f, seed=0):
    # The generator of bench/graph_batch.cpp (random spanning tree + n/10 extra edges, one-hot features); not the
    # same random stream, the same distribution.
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(graphs):
        n = int(rng.integers(lo, hi + 1))
        edges = [(int(rng.integers(0, i)), i) for i in range(1, n)]
        for _ in range(n // 10):
            a, b = (int(v) for v in rng.integers(0, n, 2))
            if a != b:
                edges.append((a, b))
        e = np.array(edges, dtype=np.int64).T.reshape(2, -1)
        ei = torch.from_numpy(np.concatenate([e, e[::-1]], axis=1).copy())
        x = torch.zeros(n, f)
        x[torch.arange(n), torch.from_numpy(rng.integers(0, f, n))] = 1
        out.append(Data(x=x, edge_index=ei, y=torch.tensor([int(rng.integers(0, 2))])))
    return out


def load_folder(d):
    ptr = np.load(os.path.join(d, "graph_ptr.npy"))
    ei = np.load(os.path.join(d, "edge_index.npy"))
    x = torch.from_numpy(np.load(os.path.join(d, "x.npy")))
    y = np.load(os.path.join(d, "y.npy"))
    out = []
    for g in range(len(ptr) - 1):
        lo, hi = ptr[g], ptr[g + 1]
        mask = (ei[0] >= lo) & (ei[0] < hi)
        out.append(Data(x=x[lo:hi], edge_index=torch.from_numpy(ei[:, mask] - lo), y=torch.tensor([int(y[g])])))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="")
    p.add_argument("--graphs", type=int, default=10000)
    p.add_argument("--min-nodes", type=int, default=10)
    p.add_argument("--max-nodes", type=int, default=28)
    p.add_argument("--batch", type=int, nargs="+", default=[32, 128])
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--reps", type=int, default=5)
    a = p.parse_args()
    ds = load_folder(a.data) if a.data else generate(a.graphs, a.min_nodes, a.max_nodes, 7)
    name = os.path.basename(os.path.normpath(a.data)) if a.data else "generated"
    print(json.dumps({"env": {"dataset": name, "graphs": len(ds), "torch": torch.__version__,
                              "threads": torch.get_num_threads()}}))
    for b in a.batch:
        loader = DataLoader(ds, batch_size=b, shuffle=True, num_workers=a.workers)
        times = []
        for r in range(a.warmup + a.reps):
            t0 = time.perf_counter()
            nodes = sum(batch.num_nodes for batch in loader)
            assert nodes == sum(d.num_nodes for d in ds)
            if r >= a.warmup:
                times.append(time.perf_counter() - t0)
        ms = 1e3 * float(np.median(times))
        per_epoch = (len(ds) + b - 1) // b
        print(json.dumps({"workload": "graph_batch", "impl": "pyg", "dataset": name, "batch": b,
                          "workers": a.workers, "graphs_per_s": round(len(ds) / (ms / 1e3)),
                          "us_per_batch": round(1e3 * ms / per_epoch, 2), "ms_per_epoch": round(ms, 3)}))


if __name__ == "__main__":
    main()
