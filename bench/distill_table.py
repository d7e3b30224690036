#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
"""Turns the JSON lines of `loom distill` runs into the Markdown tables of bench/results/.

  python3 bench/distill_table.py RUN.json ...

Each file holds one run's last stdout line. One table row per file: data set, protocol, method, loss, and every
accuracy cell as mean ± std in percent (teacher, plain MLP, student; for the production protocol the transductive,
inductive and production columns of each), plus the student's gap to its teacher and to the MLP.
"""
import json
import sys


def cell(run, name):
    m, s = run.get(name + "_mean"), run.get(name + "_std")
    return "n/a" if m is None else f"{100 * m:.2f} ± {100 * s:.2f}"


def gap(run, a, b):
    x, y = run.get(a + "_mean"), run.get(b + "_mean")
    return "n/a" if x is None or y is None else f"{100 * (x - y):+.2f}"


def main(paths):
    runs = []
    for p in paths:
        with open(p) as f:
            lines = [line for line in f if line.strip().startswith("{")]
        if lines:
            runs.append(json.loads(lines[-1]))
    for protocol, suffixes in (("transductive", [""]), ("production", ["_tran", "_ind", "_prod"])):
        rows = [r for r in runs if r["protocol"] == protocol]
        if not rows:
            continue
        heads = [f"{who}{s}" for s in suffixes for who in ("teacher", "mlp", "student")]
        print(f"\n### {protocol}\n")
        print("| data | method | loss | seeds | " + " | ".join(heads) +
              " | student − teacher | student − MLP |")
        print("|" + "---|" * (4 + len(heads) + 2))
        last = suffixes[-1]
        for r in rows:
            print(f"| {r['dataset']} | {r['method']} ({r['teacher']}) | {r['loss']} | {r['seeds']} | " +
                  " | ".join(cell(r, h) for h in heads) +
                  f" | {gap(r, 'student' + last, 'teacher' + last)} | {gap(r, 'student' + last, 'mlp' + last)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
