# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyG's AddMetaPaths on a Loom heterogeneous folder (DBLP: APA, APCPA, APTPA): the reference of
bench/hetero_metapath.cpp. Prints an env line, then one JSON line per meta-path with the same keys as the Loom
program (workload, impl, device, metapath, nnz, nnz_offdiag, ms, cuda_peak_mib, max_rss_mib).

AddMetaPaths multiplies the relations' adjacencies left to right (torch_sparse / torch.sparse matmul) and keeps the
coalesced result's diagonal (an author reaches itself), so `nnz` counts self loops once and duplicates are merged:
compare it with Loom's `nnz` (kKeep); `nnz_offdiag` is both without the diagonal. With weighted=True the path counts
are the edge weights, as Loom's values.

  python bench/pyg_metapath.py --data ../shared/data/dblp --device cpu
  python bench/pyg_metapath.py --data ../shared/data/dblp --device cuda --reps 10
"""
import argparse
import json
import os
import resource
import statistics
import time

import numpy as np
import torch
import torch_geometric
import torch_geometric.transforms as T
from torch_geometric.data import HeteroData


def load_folder(path):
    """The folder's node counts and every edges/<src>__<rel>__<dst>.npy, as PyG's DBLP() would give them (features
    are not needed for the products)."""
    meta = json.load(open(os.path.join(path, "meta.json")))
    data = HeteroData()
    for t, n in meta["counts"]["nodes"].items():
        data[t].num_nodes = n
    for f in sorted(os.listdir(os.path.join(path, "edges"))):
        if not f.endswith(".npy"):
            continue
        src, rel, dst = f[:-4].split("__")
        ei = torch.from_numpy(np.load(os.path.join(path, "edges", f))).long()
        data[src, rel, dst].edge_index = ei
    return data


INITIALS = {"a": "author", "p": "paper", "c": "conference", "t": "term"}


def edge_types(data, spec):
    """'APCPA' -> [(author, writes, paper), (paper, published_in, conference), ...]: the one relation per step."""
    types = [INITIALS[ch.lower()] for ch in spec]
    out = []
    for s, d in zip(types, types[1:]):
        hits = [et for et in data.edge_types if et[0] == s and et[2] == d]
        assert len(hits) == 1, f"{spec}: {len(hits)} relations from {s} to {d}"
        out.append(hits[0])
    return out


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(os.environ.get("LOOM_DATA", "../shared/data"), "dblp"))
    ap.add_argument("--metapaths", default="APA,APCPA,APTPA")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    base = load_folder(args.data).to(device)
    print(json.dumps({"env": "pyg", "torch": torch.__version__, "pyg": torch_geometric.__version__,
                      "device": args.device, "threads": torch.get_num_threads(), "data": args.data}), flush=True)

    for spec in args.metapaths.split(","):
        path = edge_types(base, spec)
        # drop_orig_edge_types keeps the result small; weighted=True gives the path counts (as Loom's values).
        transform = T.AddMetaPaths(metapaths=[path], drop_orig_edge_types=True, weighted=True)
        times, out = [], None
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
            before = torch.cuda.memory_allocated()
        for i in range(args.warmup + args.reps):
            data = base.clone()  # AddMetaPaths edits its input
            sync(device)
            t0 = time.perf_counter()
            out = transform(data)
            sync(device)
            if i >= args.warmup:
                times.append((time.perf_counter() - t0) * 1e3)
        key = (path[0][0], "metapath_0", path[-1][2])  # AddMetaPaths names the j-th meta-path metapath_j
        ei = out[key].edge_index
        nnz = ei.size(1)
        offdiag = int((ei[0] != ei[1]).sum())
        peak = (torch.cuda.max_memory_allocated() - before) / 2**20 if device.type == "cuda" else 0.0
        print(json.dumps({"workload": "metapath", "impl": "pyg", "device": args.device, "metapath": spec,
                          "nnz": nnz, "nnz_offdiag": offdiag, "ms": round(statistics.median(times), 3),
                          "cuda_peak_mib": round(peak, 1),
                          "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                          "weight_sum": float(out[key].edge_weight.sum())}), flush=True)


if __name__ == "__main__":
    main()
