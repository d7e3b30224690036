# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyG's side of bench_hetero_conv: a 2-layer HeteroConv of SAGEConv((F, F), H) per relation (mean neighbour
aggregation, aggr='sum' across relations, ReLU between the layers) on the typed graph bench_hetero_conv writes, forward
and forward+backward of sum over types of mean(y^2), median over --reps after --warmup. One JSON line per measurement,
with the keys of bench_hetero_conv (fwd_ms, ms, peak_mib on CUDA, max_rss_mib).

  build/bench/bench_hetero_conv --nodes 1000000 --edges 20000000 --write-npy /tmp/hetero --impl none
  python3 bench/pyg_heteroconv.py --npy /tmp/hetero --device cuda
"""
import argparse
import glob
import json
import os
import resource
import statistics
import time

import numpy as np
import torch
import torch_geometric
from torch_geometric.nn import HeteroConv, SAGEConv


def load(d, device):
    counts = {}
    for line in open(os.path.join(d, "types.txt")):
        name, n = line.split()
        counts[name] = int(n)
    x = {t: torch.from_numpy(np.load(os.path.join(d, f"x_{t}.npy"))).to(device) for t in counts}
    edges = {}
    for path in sorted(glob.glob(os.path.join(d, "*__*__*.npy"))):
        src, rel, dst = os.path.basename(path)[:-4].split("__")
        edges[(src, rel, dst)] = torch.from_numpy(np.load(path)).to(device)
    return counts, x, edges


class Model(torch.nn.Module):
    def __init__(self, relations, f, hidden, out):
        super().__init__()
        self.conv1 = HeteroConv({r: SAGEConv((f, f), hidden) for r in relations}, aggr="sum")
        self.conv2 = HeteroConv({r: SAGEConv((hidden, hidden), out) for r in relations}, aggr="sum")

    def forward(self, x, edges):
        h = {t: v.relu() for t, v in self.conv1(x, edges).items()}
        return self.conv2(h, edges)


def timed(fn, device, warmup, reps):
    for _ in range(warmup):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated() if device.type == "cuda" else 0
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        ms.append((time.perf_counter() - t0) * 1e3)
    peak = (torch.cuda.max_memory_allocated() - base) / 2**20 if device.type == "cuda" else 0.0
    return statistics.median(ms), peak


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--npy", required=True, help="folder bench_hetero_conv --write-npy wrote")
    p.add_argument("--device", default="cpu")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--out", type=int, default=64)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--compile", action="store_true", help="also time torch.compile(model)")
    a = p.parse_args()
    device = torch.device(a.device)
    counts, x, edges = load(a.npy, device)
    f = next(iter(x.values())).shape[1]
    nodes, num_edges = sum(counts.values()), sum(e.shape[1] for e in edges.values())
    print(json.dumps({"env": "pyg", "torch": torch.__version__, "pyg": torch_geometric.__version__,
                      "device": str(device), "nodes": nodes, "edges": num_edges,
                      "gpu": torch.cuda.get_device_name() if device.type == "cuda" else None}), flush=True)
    torch.manual_seed(0)
    model = Model(list(edges), f, a.hidden, a.out).to(device)
    variants = [("pyg", model)]
    if a.compile:
        variants.append(("pyg_compile", torch.compile(model)))
    for impl, m in variants:
        def fwd():
            with torch.no_grad():
                m(x, edges)

        def train():
            m.zero_grad(set_to_none=True)
            y = m(x, edges)
            sum((v * v).mean() for v in y.values()).backward()

        fwd_ms, _ = timed(fwd, device, a.warmup, a.reps)
        ms, peak = timed(train, device, a.warmup, a.reps)
        print(json.dumps({"workload": "hetero_sage_2layer", "impl": impl, "device": str(device), "nodes": nodes,
                          "edges": num_edges, "F": f, "hidden": a.hidden, "out": a.out, "fwd_ms": round(fwd_ms, 2),
                          "ms": round(ms, 2), "peak_mib": round(peak, 1),
                          "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}),
              flush=True)


if __name__ == "__main__":
    main()
