#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# Installs what Loom needs to build and test from Debian's/Ubuntu's packages, and nothing that is already there.
# Idempotent: a second run installs nothing. Used by the README's commands and by .ci/run.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config git ccache
      libeigen3-dev libtbb-dev libboost-graph-dev libgtest-dev libgmock-dev libbenchmark-dev
      libcli11-dev nlohmann-json3-dev zlib1g-dev dataset-fashion-mnist
      libhnswlib-dev libcpp-httplib-dev libmetis-dev libopenmpi-dev openmpi-bin curl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get -o Acquire::Retries=3 update -qq
$sudo apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
