#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""SoftHGNN (SeS) as a plain dense PyTorch module, timed like bench_soft_hgnn (the Loom layer) on the same shapes.

The formula is the one of layers/include/loom/layers/soft_hgnn.h, written the straightforward way (per-head
similarities, then their mean). Per sample, tokens X [N, D]:
  c = [mean_n X ; max_n X];  P = P0 + reshape(W_c c + b_c, [M, D]);  Z = X W_p^T + b_p
  L = mean over the h heads of Z_h P_h^T / sqrt(D / h)                   [N, M]
  SeS: score = column sums of L; keep the M_fix fixed hyperedges (the last columns) and the top-k dynamic ones
       (torch.topk, a detached mask)
  A = softmax of L over the tokens, dropped columns zeroed;  E = GELU(Linear_e(A^T X));  Y = GELU(Linear_v(A E))
  out = X + Y
Dropout is 0 (timing), the context offsets are on.

Prints one JSON line per measurement (workloads softhgnn_ses_fwd_bwd, softhgnn_ses_fwd (no autograd),
softhgnn_basic_fwd_bwd (top-k 0: every hyperedge kept), impl "torch.dense"), with the same fields as Loom's.
--dump DIR writes the input, the weights (Loom's parameter names), the outputs and the gradients (of out with a
ones gradient) as .npy files plus config.npy; `bench_soft_hgnn --load DIR` checks Loom against them.

  python3 torch_soft_hgnn.py [--device cuda] [--tokens 4096] [--dim 256] [--hyperedges 64] [--top-k 16] [--dump DIR]
"""
import argparse
import json
import math
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F


class SoftHGNN(torch.nn.Module):
    """The dense formula; parameter names match Loom's state dict (prototypes, context_weight, ...)."""

    def __init__(self, dim, hyperedges, fixed, top_k, heads):
        super().__init__()
        assert dim % heads == 0 and 0 <= top_k <= hyperedges
        self.dim, self.m_dyn, self.m_fix, self.top_k, self.heads = dim, hyperedges, fixed, top_k, heads
        m = hyperedges + fixed
        self.prototypes = torch.nn.Parameter(torch.nn.init.xavier_uniform_(torch.empty(m, dim)))
        context, proj = torch.nn.Linear(2 * dim, m * dim), torch.nn.Linear(dim, dim)
        edge, vertex = torch.nn.Linear(dim, dim), torch.nn.Linear(dim, dim)
        for name, lin in (("context", context), ("proj", proj), ("edge", edge), ("vertex", vertex)):
            setattr(self, name + "_weight", lin.weight)
            setattr(self, name + "_bias", lin.bias)

    def forward(self, x):  # x [B, N, D]
        b, n, d = x.shape
        m, h = self.m_dyn + self.m_fix, self.heads
        c = torch.cat([x.mean(1), x.max(1).values], 1)                                   # [B, 2D]
        p = self.prototypes + F.linear(c, self.context_weight, self.context_bias).view(b, m, d)  # [B, M, D]
        z = F.linear(x, self.proj_weight, self.proj_bias)                                 # [B, N, D]
        zh = z.view(b, n, h, d // h).transpose(1, 2)                                     # [B, h, N, d]
        ph = p.view(b, m, h, d // h).transpose(1, 2)                                     # [B, h, M, d]
        logits = (zh @ ph.transpose(2, 3) / math.sqrt(d // h)).mean(1)                   # [B, N, M]
        a = torch.softmax(logits, 1)                                                     # columns sum to 1
        if self.top_k > 0:
            with torch.no_grad():
                score = logits[:, :, : self.m_dyn].sum(1)                                # [B, M_dyn]
                mask = torch.zeros(b, m, dtype=x.dtype, device=x.device)
                mask.scatter_(1, torch.topk(score, self.top_k, 1).indices, 1.0)
                mask[:, self.m_dyn:] = 1.0                                               # fixed hyperedges
            a = a * mask.unsqueeze(1)
        e = F.gelu(F.linear(a.transpose(1, 2) @ x, self.edge_weight, self.edge_bias))   # [B, M, D]
        y = F.gelu(F.linear(a @ e, self.vertex_weight, self.vertex_bias))               # [B, N, D]
        return x + y


def timed(fn, device, warmup=3, reps=10):
    """Median milliseconds of fn() over reps runs, and peak device memory in MiB above what was live before."""
    for _ in range(warmup):
        fn()
    peak = 0.0
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    times = []
    for _ in range(reps):
        if device == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(end))
        else:
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1e3)
    if device == "cuda":
        peak = (torch.cuda.max_memory_allocated() - base) / 2**20
    return statistics.median(times), peak


def report(workload, device, f, ms, peak, floor_bytes):
    print(json.dumps(dict(workload=workload, impl="torch.dense", device=device, F=f, ms=round(ms, 4),
                          peak_mib=round(peak, 1), floor_mb=round(floor_bytes / 1e6, 1),
                          gbps_vs_floor=round(floor_bytes / (ms * 1e-3) / 1e9, 1))), flush=True)


def dump(dirname, ses, basic, x, cfg):
    """Input, weights, outputs and gradients as .npy (float64 on the host), and the shapes in config.npy."""
    os.makedirs(dirname, exist_ok=True)
    save = lambda name, t: np.save(os.path.join(dirname, name + ".npy"), t.detach().cpu().double().numpy())
    np.save(os.path.join(dirname, "config.npy"), np.array(cfg, dtype=np.int64))
    save("x", x)
    for name, p in ses.named_parameters():
        save(name, p)
    xin = x.detach().requires_grad_()
    ses.zero_grad(set_to_none=True)
    out = ses(xin)
    out.backward(torch.ones_like(out))
    save("out", out)
    save("grad_x", xin.grad)
    for name, p in ses.named_parameters():
        save("grad_" + name, p.grad)
    with torch.no_grad():
        save("out_basic", basic(x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu", choices=["cpu", "cuda"])
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--tokens", type=int, default=4096)
    p.add_argument("--dim", type=int, default=256)
    p.add_argument("--hyperedges", type=int, default=64, help="M_dyn")
    p.add_argument("--fixed", type=int, default=0, help="M_fix")
    p.add_argument("--top-k", type=int, default=16)
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dump", default="", help="write input, weights, outputs and gradients here (.npy)")
    p.add_argument("--no-time", action="store_true", help="only --dump")
    args = p.parse_args()

    dev, dtype = args.device, getattr(torch, args.dtype)
    torch.manual_seed(args.seed)
    ses = SoftHGNN(args.dim, args.hyperedges, args.fixed, args.top_k, args.heads).to(dev, dtype)
    basic = SoftHGNN(args.dim, args.hyperedges, args.fixed, 0, args.heads).to(dev, dtype)
    basic.load_state_dict(ses.state_dict())
    x = torch.randn(args.batch, args.tokens, args.dim, generator=torch.Generator().manual_seed(args.seed + 1),
                    dtype=torch.float64).to(dev, dtype)
    params = sum(t.numel() for t in ses.parameters())
    print(json.dumps(dict(softhgnn=dict(B=args.batch, N=args.tokens, D=args.dim, M_dyn=args.hyperedges,
                                        M_fix=args.fixed, top_k=args.top_k, heads=args.heads, params=params,
                                        dtype=args.dtype),
                          device=dev, env=dict(torch=torch.__version__, threads=torch.get_num_threads(),
                                               gpu=torch.cuda.get_device_name() if dev == "cuda" else None))),
          flush=True)
    if args.dump:
        dump(args.dump, ses, basic, x, [args.batch, args.tokens, args.dim, args.hyperedges, args.fixed, args.top_k,
                                        args.heads])
    if args.no_time:
        return

    def fwd_bwd(layer):
        def run():
            xin = x.detach().requires_grad_()
            layer.zero_grad(set_to_none=True)
            out = layer(xin)
            out.backward(torch.ones_like(out))
        return run

    def fwd():
        with torch.no_grad():
            ses(x)

    # The same floors as bench_soft_hgnn: forward reads X and the weights and writes the output; backward also reads
    # the output's gradient and the weights again and writes X's and the weights' gradients.
    s = 8.0 if args.dtype == "float64" else 4.0
    act, w = s * args.batch * args.tokens * args.dim, s * params
    fwd_floor = 2 * act + w
    fwd_bwd_floor = fwd_floor + 3 * act + 2 * w
    report("softhgnn_ses_fwd_bwd", dev, args.dim, *timed(fwd_bwd(ses), dev, args.warmup, args.reps), fwd_bwd_floor)
    report("softhgnn_ses_fwd", dev, args.dim, *timed(fwd, dev, args.warmup, args.reps), fwd_floor)
    report("softhgnn_basic_fwd_bwd", dev, args.dim, *timed(fwd_bwd(basic), dev, args.warmup, args.reps),
           fwd_bwd_floor)


if __name__ == "__main__":
    main()
