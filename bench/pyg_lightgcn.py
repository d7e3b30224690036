# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyG's LightGCN on the interactions bench_lightgcn_epoch trains: the reference side of the LightGCN speed table.

Training is PyG's examples/lightgcn.py loop: each epoch every training interaction once (shuffled), one uniform
random negative item per positive, minibatches of --batch, a full propagation per step (model(edge_index,
edge_label_index)), recommendation_loss (BPR + lambda_reg 1e-4), Adam 1e-3. Prints one JSON line per measurement.

  python3 bench/pyg_lightgcn.py --data ../shared/data/movielens-100k --split u1 --epochs 5
  python3 bench/pyg_lightgcn.py --npy DIR --users U --items I --steps 20     # DIR/train_ui.npy from bench_lightgcn_epoch
  python3 bench/pyg_lightgcn.py --data ... --split u1 --accuracy --epochs 200 --seeds 3   # Recall/NDCG@20
"""
import argparse
import json
import math
import os
import statistics
import time

import numpy as np
import torch
import torch_geometric
from torch_geometric.nn.models import LightGCN


def load(args):
    if args.npy:
        ui = np.load(os.path.join(args.npy, "train_ui.npy"))
        return ui[0], ui[1], None, None, args.users, args.items, "generated"
    ratings = np.load(os.path.join(args.data, "ratings.npy"))
    tr = np.load(os.path.join(args.data, "splits", args.split, "train_idx.npy"))
    te = np.load(os.path.join(args.data, "splits", args.split, "test_idx.npy"))
    meta = json.load(open(os.path.join(args.data, "meta.json")))
    users, items = meta["counts"]["users"], meta["counts"]["items"]
    return (ratings[tr, 0], ratings[tr, 1], ratings[te, 0], ratings[te, 1], users, items,
            os.path.basename(os.path.normpath(args.data)) + "/" + args.split)


def ranking(model, edge_index, users, items, train_u, train_i, test_u, test_i, k=20, block=1024):
    """Recall@k and NDCG@k over all items with each user's training items excluded (standard IDCG)."""
    dev = edge_index.device
    with torch.no_grad():
        emb = model.get_embedding(edge_index)
    user_emb, item_emb = emb[:users], emb[users:]
    train = torch.sparse_coo_tensor(torch.stack([torch.as_tensor(train_u), torch.as_tensor(train_i)]),
                                    torch.ones(len(train_u)), (users, items)).coalesce().to_dense().bool().to(dev)
    truth = torch.sparse_coo_tensor(torch.stack([torch.as_tensor(test_u), torch.as_tensor(test_i)]),
                                    torch.ones(len(test_u)), (users, items)).coalesce().to_dense().bool().to(dev)
    disc = 1.0 / torch.log2(torch.arange(2, k + 2, device=dev, dtype=torch.float64))
    idcg_table = torch.cat([torch.zeros(1, device=dev, dtype=torch.float64), disc.cumsum(0)])
    rec, ndcg, n = 0.0, 0.0, 0
    for s in range(0, users, block):
        scores = user_emb[s:s + block] @ item_emb.t()
        scores[train[s:s + block]] = float("-inf")
        top = scores.topk(k, dim=1).indices
        hit = truth[s:s + block].gather(1, top).double()
        count = truth[s:s + block].sum(1)
        has = count > 0
        rec += float((hit.sum(1)[has] / count[has]).sum())
        ndcg += float(((hit * disc).sum(1)[has] / idcg_table[count.clamp(max=k)][has]).sum())
        n += int(has.sum())
    return rec / n, ndcg / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data")
    p.add_argument("--split", default="u1")
    p.add_argument("--npy")
    p.add_argument("--users", type=int)
    p.add_argument("--items", type=int)
    p.add_argument("--batch", type=int, default=2048)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--steps", type=int, default=0)
    p.add_argument("--accuracy", action="store_true")
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--device", default="cuda")
    args = p.parse_args()
    dev = torch.device(args.device)
    tu, ti, su, si, users, items, name = load(args)
    t_u = torch.as_tensor(tu, device=dev)
    t_i = torch.as_tensor(ti, device=dev) + users
    edge_index = torch.cat([torch.stack([t_u, t_i]), torch.stack([t_i, t_u])], dim=1)
    label = torch.stack([t_u, t_i])  # supervision pairs (user, users + item)
    n = label.size(1)
    per_epoch = math.ceil(n / args.batch)

    def step(model, opt, index):
        pos = label[:, index]
        neg = torch.stack([pos[0], torch.randint(users, users + items, (index.numel(),), device=dev)])
        eli = torch.cat([pos, neg], dim=1)
        opt.zero_grad()
        pos_rank, neg_rank = model(edge_index, eli).chunk(2)
        loss = model.recommendation_loss(pos_rank, neg_rank, node_id=eli.unique())
        loss.backward()
        opt.step()
        return loss

    results = []
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        model = LightGCN(users + items, args.dim, args.layers).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
        if args.steps > 0:
            perm = torch.randperm(n, device=dev)
            step(model, opt, perm[:args.batch])
            ms = []
            for s in range(args.steps):
                idx = perm[(s * args.batch) % max(1, n - args.batch):][:args.batch]
                sync()
                t0 = time.perf_counter()
                step(model, opt, idx)
                sync()
                ms.append((time.perf_counter() - t0) * 1e3)
            step_ms = statistics.median(ms)
            epoch_s = step_ms * per_epoch / 1e3
            measured = "steps"
        else:
            times = []
            for e in range(args.epochs + (0 if args.accuracy else 1)):
                sync()
                t0 = time.perf_counter()
                perm = torch.randperm(n, device=dev)
                for b in range(per_epoch):
                    step(model, opt, perm[b * args.batch:(b + 1) * args.batch])
                sync()
                if args.accuracy or e > 0:
                    times.append(time.perf_counter() - t0)
            epoch_s = statistics.median(times)
            step_ms = epoch_s * 1e3 / per_epoch
            measured = "whole epochs"
        out = {"workload": "lightgcn_epoch", "impl": "pyg", "device": args.device, "data": name, "users": users,
               "items": items, "interactions": n, "batch": args.batch, "dim": args.dim, "layers": args.layers,
               "steps_per_epoch": per_epoch, "epoch_s": round(epoch_s, 4), "step_ms": round(step_ms, 4),
               "measured": measured, "seed": seed, "torch": torch.__version__, "pyg": torch_geometric.__version__}
        if dev.type == "cuda":
            out["peak_mib"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
        if args.accuracy and su is not None:
            out["recall@20"], out["ndcg@20"] = ranking(model, edge_index, users, items, tu, ti, su, si)
            results.append(out)
        print(json.dumps(out), flush=True)
    if args.accuracy and len(results) > 1:
        r = [x["recall@20"] for x in results]
        g = [x["ndcg@20"] for x in results]
        print(json.dumps({"impl": "pyg", "data": name, "seeds": len(results),
                          "recall@20_mean": statistics.mean(r), "recall@20_std": statistics.stdev(r),
                          "ndcg@20_mean": statistics.mean(g), "ndcg@20_std": statistics.stdev(g)}), flush=True)


if __name__ == "__main__":
    main()
