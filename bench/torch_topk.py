# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""Exact top-k retrieval in PyTorch, the reference of bench_serve_topk's GPU line: scores = users @ items.T with
torch.matmul, then torch.topk, for batches of users over a catalogue of --items x --dim (float32, on the GPU).
Prints one JSON line per batch size: median ms per batch and queries per second.

  python3 bench/torch_topk.py --items 1000000 --dim 64 --k 10 --batch 1024 --batch 1
"""
import argparse
import json
import statistics
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--items", type=int, default=1_000_000)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--batch", type=int, action="append")
    p.add_argument("--reps", type=int, default=30)
    args = p.parse_args()
    dev = torch.device("cuda")
    g = torch.Generator(device=dev).manual_seed(0)
    items = torch.randn(args.items, args.dim, device=dev, generator=g)
    for batch in args.batch or [1024]:
        users = torch.randn(batch, args.dim, device=dev, generator=g)

        def run():
            return torch.topk(torch.matmul(users, items.t()), args.k, dim=1)

        for _ in range(3):
            run()
        torch.cuda.synchronize()
        ms = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            v, i = run()
            i.cpu()  # the answer reaches the host, as a server's would
            ms.append((time.perf_counter() - t0) * 1e3)
        m = statistics.median(ms)
        print(json.dumps({"workload": "serve_topk_batch", "impl": "torch_matmul_topk", "items": args.items,
                          "dim": args.dim, "k": args.k, "batch": batch, "ms": round(m, 3),
                          "qps": round(batch / (m / 1e3), 1), "torch": torch.__version__,
                          "device": torch.cuda.get_device_name()}), flush=True)


if __name__ == "__main__":
    main()
