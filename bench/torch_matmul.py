# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""PyTorch counterpart of bench_matmul: times a float32 n x n matmul (warmup, then the median of timed
repetitions) and prints the same JSON line, so the two can be run side by side.

Usage: python bench/torch_matmul.py [--device cpu|cuda] [--n 4096] [--warmup 3] [--reps 10]
CPU runs with PyTorch's default thread count; CUDA times each repetition with CUDA events.
"""
import argparse
import json
import statistics
import time

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--n", type=int, default=4096)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reps", type=int, default=10)
    args = parser.parse_args()
    if args.n < 1 or args.reps < 1 or args.warmup < 0:
        parser.error("--n and --reps must be >= 1, --warmup >= 0")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda, but torch sees no CUDA device")

    device = torch.device(args.device)
    gen = torch.Generator().manual_seed(0)
    a = (torch.rand(args.n, args.n, generator=gen) * 2 - 1).to(device)
    b = (torch.rand(args.n, args.n, generator=gen) * 2 - 1).to(device)

    times_ms = []
    with torch.no_grad():
        for _ in range(args.warmup):
            torch.matmul(a, b)
        if device.type == "cuda":
            torch.cuda.synchronize()
            for _ in range(args.reps):
                start = torch.cuda.Event(enable_timing=True)
                end = torch.cuda.Event(enable_timing=True)
                start.record()
                torch.matmul(a, b)
                end.record()
                end.synchronize()
                times_ms.append(start.elapsed_time(end))
        else:
            for _ in range(args.reps):
                t0 = time.perf_counter()
                torch.matmul(a, b)
                times_ms.append((time.perf_counter() - t0) * 1e3)

    ms = statistics.median(times_ms)
    tflops = 2.0 * args.n**3 / (ms * 1e-3) / 1e12
    print(json.dumps({"workload": "matmul", "impl": "torch", "device": args.device, "n": args.n,
                      "ms": round(ms, 4), "tflops": round(tflops, 4)}, separators=(",", ":")))


if __name__ == "__main__":
    main()
