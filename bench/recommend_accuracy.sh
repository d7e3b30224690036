#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# MovieLens-100K accuracy table of `loom train --task recommend`: popularity, MF-BPR and LightGCN on the official
# splits u1..u4, 5 seeds each (every rating an interaction, the models' defaults: dimension 64, BPR, Adam 1e-3,
# batch 2048, 200 epochs, LightGCN K = 3). One JSON line per (model, split) on stdout; summarise with
# bench/recommend_table.py. Usage: bench/recommend_accuracy.sh [LOOM_BINARY] [extra loom flags, e.g. --device cuda]
set -euo pipefail
loom=${1:-build/loom}
shift || true
for split in u1 u2 u3 u4; do
  for model in popularity mf lightgcn; do
    "$loom" train --task recommend --model "$model" --data movielens-100k --split "$split" --seeds 5 --quiet "$@"
  done
done
