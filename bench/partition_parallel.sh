#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# Scaling of a partition-parallel GCN epoch (`loom train --parts P`, staleness 0) over CPU processes on one machine,
# on a generated CSBM graph: for each P, the slowest process's training-step time per epoch (forward, backward,
# gradient sum; evaluation excluded), its time inside collectives, and the bytes all processes sent per epoch.
# Each P runs with cores / P threads per process (loom's default), so every row uses the whole machine.
# Prints a Markdown table on stdout and each run's JSON line on stderr.
# Usage: bench/partition_parallel.sh [LOOM_BINARY] [PROCESS COUNTS, default "1 2"] [extra loom flags]
#   e.g. on the 16-core machine: bench/partition_parallel.sh build/loom "1 2 4"
#   graph size: NODES (200000), FEATURES (128), DEGREE (10), HIDDEN (128), EPOCHS (20) in the environment.
set -euo pipefail
loom=${1:-build/loom}
counts=${2:-"1 2"}
shift 2 || shift $#
nodes=${NODES:-200000} features=${FEATURES:-128} degree=${DEGREE:-10} hidden=${HIDDEN:-128} epochs=${EPOCHS:-20}
echo "| processes | threads each | train ms/epoch | comm ms/epoch | comm share | MiB sent/epoch | edge cut | test acc |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for p in $counts; do
  line=$("$loom" train --model gcn --parts "$p" --nodes "$nodes" --features "$features" --avg-degree "$degree" \
         --classes 8 --hidden "$hidden" --epochs "$epochs" --quiet "$@" | tail -n 1)
  echo "$line" >&2
  python3 -c '
import json, sys
r = json.loads(sys.argv[1]); run = r["runs"][0]
train, comm = run["train_seconds_per_epoch"], run["comm_seconds_per_epoch"]
row = [r["parts"], r["threads_per_part"], "%.1f" % (1e3 * train), "%.1f" % (1e3 * comm), "%.0f%%" % (100 * comm / train),
       "%.2f" % (run["comm_bytes_per_epoch"] / 2**20), r["edge_cut"], "%.4f" % run["test_acc"]]
print("| " + " | ".join(str(c) for c in row) + " |")
' "$line"
done
