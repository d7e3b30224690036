# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyG's side of bench/sampled_epoch.cpp: GraphSAGE (SAGEConv with mean aggregation, 3 layers, hidden 256, ReLU and
dropout 0.5 between layers) trained on torch_geometric.loader.NeighborLoader batches (fan-outs 15/10/5, batch 1024,
shuffled training nodes, Adam 1e-3) over the graph `bench_sampled_epoch --write-npy DIR` wrote. As PyG's example
does, the loader samples on the CPU and each batch moves to the device. Five untimed warm-up steps, then --epochs
timed epochs (or --max-steps steps of one, scaled to the epoch); the median epoch is printed as JSON with the same
keys as the C++ side. Not run in Loom's CI (torch is absent).

  bench_sampled_epoch --device cuda --write-npy /tmp/products --epochs 1
  python bench/pyg_sampled_sage.py --npy /tmp/products --device cuda
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch_geometric.data import Data
from torch_geometric.loader import NeighborLoader
from torch_geometric.nn import SAGEConv


class SAGE(torch.nn.Module):
    def __init__(self, f_in, hidden, classes, layers):
        super().__init__()
        dims = [f_in] + [hidden] * (layers - 1) + [classes]
        self.convs = torch.nn.ModuleList(SAGEConv(a, b) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, x, edge_index):
        for i, conv in enumerate(self.convs):
            x = F.dropout(x, p=0.5, training=self.training)
            x = conv(x, edge_index)
            if i + 1 < len(self.convs):
                x = F.relu(x)
        return x


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--npy", required=True)
    p.add_argument("--device", default="cuda")
    p.add_argument("--fanouts", default="15,10,5")
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--max-steps", type=int, default=0)
    p.add_argument("--workers", type=int, default=0, help="NeighborLoader worker processes")
    a = p.parse_args()
    dev = torch.device(a.device)
    ei = torch.from_numpy(np.load(f"{a.npy}/edge_index.npy"))
    x = torch.from_numpy(np.load(f"{a.npy}/x.npy"))
    y = torch.from_numpy(np.load(f"{a.npy}/y.npy"))
    train_idx = torch.from_numpy(np.load(f"{a.npy}/train_idx.npy"))
    data = Data(x=x, edge_index=ei, y=y)
    fanouts = [int(f) for f in a.fanouts.split(",")]
    torch.manual_seed(0)
    loader = NeighborLoader(data, num_neighbors=fanouts, batch_size=a.batch, input_nodes=train_idx, shuffle=True,
                            num_workers=a.workers, persistent_workers=a.workers > 0)
    model = SAGE(x.size(1), a.hidden, int(y.max()) + 1, len(fanouts)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def step(batch):
        batch = batch.to(dev)
        opt.zero_grad()
        out = model(batch.x, batch.edge_index)[: batch.batch_size]
        loss = F.cross_entropy(out, batch.y[: batch.batch_size])
        loss.backward()
        opt.step()
        return float(loss)  # as Loom's trainer, which reads each step's loss

    per_epoch = len(loader)
    steps = min(a.max_steps, per_epoch) if a.max_steps > 0 else per_epoch
    for i, batch in enumerate(loader):  # warm-up
        step(batch)
        if i == 4:
            break
    if dev.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    times, last = [], 0.0
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        for i, batch in enumerate(loader):
            if i == steps:
                break
            last = step(batch)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * per_epoch / steps)
    times.sort()
    epoch_s = times[len(times) // 2]
    peak = torch.cuda.max_memory_allocated() / 2**20 if dev.type == "cuda" else 0.0
    print(json.dumps({"workload": "sampled_sage_epoch", "impl": "pyg", "device": a.device, "nodes": x.size(0),
                      "edges": ei.size(1), "features": x.size(1), "train_nodes": train_idx.numel(),
                      "fanouts": fanouts, "batch": a.batch, "hidden": a.hidden, "steps_per_epoch": per_epoch,
                      "timed_steps": steps, "epoch_s": round(epoch_s, 3), "step_ms": round(1e3 * epoch_s / per_epoch, 2),
                      "peak_mib": round(peak, 1), "workers": a.workers, "last_loss": round(last, 4),
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
