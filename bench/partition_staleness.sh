#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# The staleness trade-off of partition-parallel training (`loom train --parts P --staleness k`) on a generated CSBM
# graph: for each k, test accuracy, the slowest process's training-step time per epoch (evaluation excluded), its
# time inside collectives, and the bytes all processes sent per epoch (averaged over the epochs, so k > 0 shows the
# skipped exchanges). Prints a Markdown table on stdout and each run's JSON line on stderr.
# Usage: bench/partition_staleness.sh [LOOM_BINARY] [STALENESS VALUES, default "0 1 4"] [extra loom flags]
#   processes and graph size: PARTS (2), NODES (100000), FEATURES (32), DEGREE (10), HIDDEN (32), EPOCHS (30).
set -euo pipefail
loom=${1:-build/loom}
values=${2:-"0 1 4"}
shift 2 || shift $#
parts=${PARTS:-2} nodes=${NODES:-100000} features=${FEATURES:-32} degree=${DEGREE:-10} hidden=${HIDDEN:-32}
epochs=${EPOCHS:-30}
echo "| staleness | test acc | train ms/epoch | comm ms/epoch | MiB sent/epoch | wall s (whole run) |"
echo "|---:|---:|---:|---:|---:|---:|"
for k in $values; do
  start=$(date +%s.%N)
  line=$("$loom" train --model gcn --parts "$parts" --staleness "$k" --nodes "$nodes" --features "$features" \
         --avg-degree "$degree" --classes 8 --hidden "$hidden" --epochs "$epochs" --quiet "$@" | tail -n 1)
  end=$(date +%s.%N)
  echo "$line" >&2
  python3 -c '
import json, sys
r = json.loads(sys.argv[1]); run = r["runs"][0]
row = [r["staleness"], "%.4f" % run["test_acc"], "%.1f" % (1e3 * run["train_seconds_per_epoch"]),
       "%.1f" % (1e3 * run["comm_seconds_per_epoch"]), "%.2f" % (run["comm_bytes_per_epoch"] / 2**20),
       "%.1f" % (float(sys.argv[3]) - float(sys.argv[2]))]
print("| " + " | ".join(str(c) for c in row) + " |")
' "$line" "$start" "$end"
done
