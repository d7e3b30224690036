# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyTorch counterparts of bench_spmm's workloads that ../shared/bench/pyg_reference.py does not time: SpMM forward +
backward through torch.sparse.mm, and the same through PyG's edge path (gather + index_add), on its graph folder.

Usage: python bench/torch_spmm.py --graph OUT/graph [--device cuda] [--features 32,128] [--reps 10]
"""
import argparse
import json
import os
import statistics

import numpy as np
import torch


def timed(fn, dev, warmup=3, reps=10):
    for _ in range(warmup):
        fn()
    if dev == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    times = []
    for _ in range(reps):
        if dev == "cuda":
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record()
            fn()
            e.record()
            torch.cuda.synchronize()
            times.append(s.elapsed_time(e))
        else:
            import time
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1e3)
    peak = (torch.cuda.max_memory_allocated() - base) / 2**20 if dev == "cuda" else float("nan")
    return statistics.median(times), peak


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--graph", required=True)
    p.add_argument("--device", default="cuda")
    p.add_argument("--features", default="32,128")
    p.add_argument("--reps", type=int, default=10)
    a = p.parse_args()
    dev = a.device
    src = torch.from_numpy(np.load(os.path.join(a.graph, "src.npy"))).to(dev)
    dst = torch.from_numpy(np.load(os.path.join(a.graph, "dst.npy"))).to(dev)
    x_all = torch.from_numpy(np.load(os.path.join(a.graph, "x.npy"))).to(dev)
    n = x_all.shape[0]
    deg = torch.zeros(n, device=dev).index_add_(0, dst, torch.ones(src.numel(), device=dev)) + 1
    w = (deg[src] * deg[dst]).rsqrt()
    adj = torch.sparse_coo_tensor(torch.stack([dst, src]), w, (n, n)).coalesce().to_sparse_csr()
    for f in map(int, a.features.split(",")):
        x = x_all[:, :f].contiguous().requires_grad_(True)

        def sparse_fb():
            x.grad = None
            torch.sparse.mm(adj, x).sum().backward()

        def edge_fb():
            x.grad = None
            msg = x.index_select(0, src) * w.unsqueeze(1)
            torch.zeros(n, f, device=dev).index_add_(0, dst, msg).sum().backward()

        for impl, fn in (("torch.sparse.mm(csr)", sparse_fb), ("gather+index_add", edge_fb)):
            ms, pk = timed(fn, dev, reps=a.reps)
            print(json.dumps(dict(workload="spmm_fwd_bwd", impl=impl, ms=round(ms, 3), peak_mib=round(pk, 1), F=f)),
                  flush=True)


if __name__ == "__main__":
    main()
