# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyTorch counterpart of bench_mlp_epoch: one full-batch MLP training epoch (forward on every node, cross-entropy
on the training nodes, backward, Adam step) on a Loom data-set folder; prints the same JSON line.

Usage: python bench/torch_mlp_epoch.py --data DIR [--device cpu|cuda] [--hidden 64] [--warmup 5] [--reps 50]
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import scipy.io
import torch



def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--reps", type=int, default=50)
    a = p.parse_args()
    dev = torch.device(a.device)
    x = torch.from_numpy(scipy.io.mmread(os.path.join(a.data, "features.mtx")).toarray().astype(np.float32)).to(dev)
    y = torch.from_numpy(np.load(os.path.join(a.data, "y.npy"))).to(dev)
    train = torch.from_numpy(np.load(os.path.join(a.data, "train_idx.npy"))).to(dev)
    classes = int(y.max()) + 1
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(x.shape[1], a.hidden), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                              torch.nn.Linear(a.hidden, classes)).to(dev)
    opt = torch.optim.Adam(mlp.parameters(), lr=0.01, weight_decay=5e-4)
    y_train = y[train]

    def epoch():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(mlp(x)[train], y_train)
        loss.backward()
        opt.step()
        if dev.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(a.warmup):
        epoch()
    ms = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        epoch()
        ms.append((time.perf_counter() - t0) * 1e3)
    name = os.path.basename(os.path.normpath(a.data))
    print(json.dumps({"workload": "mlp_epoch", "impl": "torch", "device": a.device, "dataset": name,
                      "hidden": a.hidden, "ms": round(statistics.median(ms), 4)}, separators=(",", ":")))


if __name__ == "__main__":
    main()
