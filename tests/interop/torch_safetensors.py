# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""Safetensors interop with PyTorch, run on a machine with torch + safetensors (the GPU machine):

  python3 tests/interop/torch_safetensors.py --loom-weights mlp.safetensors --data DIR --expect-acc 0.568 --out DIR2

1. Loads weights that `loom train --save` wrote into a torch MLP (Linear -> ReLU -> Linear, the names Loom uses),
   evaluates it on the data set's test split and checks the accuracy equals the one Loom reported.
2. Writes DIR2/torch_written.safetensors with one tensor of each dtype Loom reads (values from a formula that
   tests/nn/torch_interop_test.cpp recomputes), the fixture for the other direction.
"""
import argparse
import os
import sys

import numpy as np
import scipy.io
import torch
from safetensors.torch import load_file, save_file



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loom-weights", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--expect-acc", type=float, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    w = load_file(a.loom_weights)
    print("loom file:", {k: (tuple(v.shape), str(v.dtype)) for k, v in w.items()})
    hidden, feats = w["layers.0.weight"].shape
    classes = w["layers.1.weight"].shape[0]
    mlp = torch.nn.Sequential(torch.nn.Linear(feats, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, classes))
    mlp.load_state_dict({"0.weight": w["layers.0.weight"], "0.bias": w["layers.0.bias"],
                         "2.weight": w["layers.1.weight"], "2.bias": w["layers.1.bias"]})
    x = torch.from_numpy(scipy.io.mmread(os.path.join(a.data, "features.mtx")).toarray().astype(np.float32))
    y = torch.from_numpy(np.load(os.path.join(a.data, "y.npy")))
    test = torch.from_numpy(np.load(os.path.join(a.data, "test_idx.npy")))
    with torch.no_grad():
        acc = (mlp(x)[test].argmax(1) == y[test]).double().mean().item()
    print(f"torch accuracy with loom weights: {acc:.4f} (loom reported {a.expect_acc:.4f})")
    ok = abs(acc - a.expect_acc) < 1e-9

    os.makedirs(a.out, exist_ok=True)
    t = {
        "f32": (torch.arange(12, dtype=torch.float32).reshape(3, 4) * 0.25 - 1.0),
        "f64": (torch.arange(6, dtype=torch.float64).reshape(2, 1, 3) / 7.0),
        "i32": (torch.arange(5, dtype=torch.int32) * -3),
        "i64": (torch.arange(4, dtype=torch.int64) * 1000000000000),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
    }
    save_file(t, os.path.join(a.out, "torch_written.safetensors"), metadata={"writer": "torch"})
    print("wrote torch_written.safetensors")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
