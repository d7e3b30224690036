#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""The PyTorch side of the distillation speed benchmark (bench/distill_speed.cpp is Loom's side).

Writes one synthetic hypergraph for both programs, then times PyTorch's student MLP and PyG's HGNN teacher on it:

  python3 bench/distill_speed.py --out DIR [--device cuda]

The hypergraph (LightHGNN's speed setting): 55,000 vertices, 13,750 hyperedges of 2 + Poisson(3) members plus a
singleton hyperedge per vertex, F = 128 features, C = 8 classes; and 1,000 *new* vertices (ids 55,000..55,999)
that arrive later with their features and 1 to 3 memberships each in existing hyperedges. Files under DIR:
x.npy (float32 [56000, 128]), hyperedge_index.npy (int64 [2, nnz]: vertex, hyperedge; the new vertices' rows
included, as a structure store holds them once they arrived), meta.json.

Networks (random weights; speed only): teacher HGNN 128 -> 32 -> 8 (PyG HypergraphConv, ReLU, dropout in eval),
student MLP Linear(128, 128) -> ReLU -> BatchNorm1d -> Dropout -> Linear(128, 8) in eval mode.
Timings: median of repeats after warm-up, inference mode; CPU at 1 and 16 threads, CUDA synchronised. The
teacher path for new vertices (class TeacherPath) is PyTorch's counterpart of Loom's predict_nodes.
One JSON object per line, then a table.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import torch

N, M, F, C, NEW = 55_000, 13_750, 128, 8, 1_000


def write_hypergraph(out, seed=0):
    rng = np.random.default_rng(seed)
    sizes = 2 + rng.poisson(3, M)
    edge = np.repeat(np.arange(M), sizes)
    vertex = rng.integers(0, N, edge.size)
    # Singleton hyperedges M .. M + N - 1, one per old vertex.
    vertex = np.concatenate([vertex, np.arange(N)])
    edge = np.concatenate([edge, M + np.arange(N)])
    # New vertices: 1 to 3 memberships in existing (non-singleton) hyperedges, plus their own singleton.
    new_ids = N + np.arange(NEW)
    k = rng.integers(1, 4, NEW)
    vertex = np.concatenate([vertex, np.repeat(new_ids, k), new_ids])
    edge = np.concatenate([edge, rng.integers(0, M, k.sum()), M + N + np.arange(NEW)])
    x = rng.random((N + NEW, F), dtype=np.float32)
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "hyperedge_index.npy"), np.stack([vertex, edge]).astype(np.int64))
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"vertices": N, "new_vertices": NEW, "hyperedges": M, "singletons": N + NEW, "features": F,
                   "classes": C, "incidences": int(edge.size)}, f)
    return x, vertex, edge


def csr(keys, values, n):
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(ptr, keys + 1, 1)
    return np.cumsum(ptr), values[order]


class TeacherPath:
    """What serving the teacher takes for vertices that just arrived: fetch the part of the structure a 2-layer
    HGNN reads for them (their hyperedges, those hyperedges' members, the members' hyperedges and all of their
    members), gather those vertices' features, run the teacher on that sub-hypergraph and return the seeds' rows."""

    def __init__(self, vertex, edge, n_vertices, n_edges):
        self.v_ptr, self.v_edges = csr(vertex, edge, n_vertices)
        self.e_ptr, self.e_members = csr(edge, vertex, n_edges)

    def edges_of(self, vs):
        return np.unique(np.concatenate([self.v_edges[self.v_ptr[v]:self.v_ptr[v + 1]] for v in vs]))

    def run(self, teacher, x, seeds, device):
        e1 = self.edges_of(seeds)
        v1 = np.unique(np.concatenate([self.e_members[self.e_ptr[e]:self.e_ptr[e + 1]] for e in e1]))
        e2 = self.edges_of(v1)
        sizes = self.e_ptr[e2 + 1] - self.e_ptr[e2]
        members = np.concatenate([self.e_members[self.e_ptr[e]:self.e_ptr[e + 1]] for e in e2])
        v2, local = np.unique(members, return_inverse=True)
        hi = torch.from_numpy(np.stack([local, np.repeat(np.arange(e2.size), sizes)])).to(device)
        rows = torch.from_numpy(np.searchsorted(v2, seeds)).to(device)
        out = teacher(x.index_select(0, torch.from_numpy(v2).to(device)), hi)
        return out.index_select(0, rows).cpu()


def timed(fn, device, repeats, warmup=3):
    for _ in range(warmup):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return times


def quantile(v, q):
    s = sorted(v)
    return s[min(len(s) - 1, int(q * len(s)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", default="1,16")
    args = ap.parse_args()
    x_np, vertex, edge = write_hypergraph(args.out)
    rows = []

    def report(what, where, seconds, **extra):
        r = {"workload": what, "where": where, "ms": 1e3 * seconds, **extra}
        rows.append(r)
        print(json.dumps(r), flush=True)

    from torch_geometric.nn import HypergraphConv

    torch.manual_seed(0)
    student = torch.nn.Sequential(torch.nn.Linear(F, 128), torch.nn.ReLU(), torch.nn.BatchNorm1d(128),
                                  torch.nn.Dropout(0.5), torch.nn.Linear(128, C)).eval()

    class Hgnn(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.c1, self.c2 = HypergraphConv(F, 32), HypergraphConv(32, C)

        def forward(self, x, hi):
            return self.c2(torch.nn.functional.dropout(torch.relu(self.c1(x, hi)), 0.5, self.training), hi)

    teacher = Hgnn().eval()
    old = vertex < N
    hi_old = torch.from_numpy(np.stack([vertex[old], edge[old]]))
    x_all = torch.from_numpy(x_np)
    x_old = x_all[:N]
    x_new = x_all[N:]
    path = TeacherPath(vertex, edge, N + NEW, int(edge.max()) + 1)
    targets = [("cpu", int(t)) for t in args.threads.split(",")]
    if args.device == "cuda":
        targets.append(("cuda", 0))
    with torch.inference_mode():
        for where, threads in targets:
            dev = torch.device(where)
            if where == "cpu":
                torch.set_num_threads(threads)
            label = f"cpu x{threads}" if where == "cpu" else torch.cuda.get_device_name()
            s, t = student.to(dev), teacher.to(dev)
            xo, xn, hi = x_old.to(dev), x_new.to(dev), hi_old.to(dev)
            reps = 20 if where == "cuda" or threads > 1 else 5
            report("teacher_full", label, statistics.median(timed(lambda: t(xo, hi), dev, reps)))
            report("student_full", label, statistics.median(timed(lambda: s(xo), dev, reps)))
            report("student_batch_1000_new", label, statistics.median(timed(lambda: s(xn), dev, 50)))
            # One vertex: its features already where the model is, and (second row) copied there from the host.
            one = timed(lambda: s(xn[:1]), dev, 2000, warmup=50)
            report("student_one_vertex", label, statistics.median(one), p99_ms=1e3 * quantile(one, 0.99))
            # The teacher path for new vertices, one query and a batch of all 1,000.
            xa = x_all.to(dev)
            one = timed(lambda: path.run(t, xa, np.array([N]), dev), dev, 200, warmup=10)
            report("teacher_path_one_new_vertex", label, statistics.median(one), p99_ms=1e3 * quantile(one, 0.99))
            report("teacher_path_batch_1000_new", label,
                   statistics.median(timed(lambda: path.run(t, xa, N + np.arange(NEW), dev), dev, 10)))
            if where == "cuda":
                host_row = x_new[:1].pin_memory()
                one = timed(lambda: s(host_row.to(dev, non_blocking=True)).cpu(), dev, 2000, warmup=50)
                report("student_one_vertex_from_host", label, statistics.median(one), p99_ms=1e3 * quantile(one, 0.99))
    print(f"\n{'workload':32s} {'where':28s} {'ms':>10s}")
    for r in rows:
        print(f"{r['workload']:32s} {r['where']:28s} {r['ms']:10.4f}" +
              (f"  (p99 {r['p99_ms']:.4f})" if "p99_ms" in r else ""))
    print(json.dumps({"torch": torch.__version__, "device": args.device}))


if __name__ == "__main__":
    main()
