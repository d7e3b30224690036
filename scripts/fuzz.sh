#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer harnesses (fuzz/) with clang, AddressSanitizer and UndefinedBehaviorSanitizer, CPU only, and
# runs each on its committed seed corpus (fuzz/corpus/<reader>/) for SECONDS (default 60), printing the coverage it
# reached. New inputs go to build-fuzz/corpus/<reader>/, never into the committed corpus. A crash or an escaped
# exception other than loom::Error (for http_request, the HTTP service's request handling: any exception) stops the
# run with a non-zero exit and leaves the input in build-fuzz/.
#   scripts/fuzz.sh [SECONDS] [READER...]      readers: npy mtx idx safetensors dataset csv pairs hetero tu
#                                              embeddings runtime_model http_request
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
readers=("$@")
[ ${#readers[@]} -eq 0 ] && readers=(npy mtx idx safetensors dataset csv pairs hetero tu embeddings runtime_model http_request)
./scripts/setup.sh
# clang and its libFuzzer runtime (the runtime is only a Recommends of clang, and its name carries the version).
apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get -o Acquire::Retries=3 update -qq
  $sudo apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v clang++ >/dev/null || apt_install clang
rt="libclang-rt-$(clang++ -dumpversion | cut -d. -f1)-dev"
dpkg-query -W -f='${Status}' "$rt" 2>/dev/null | grep -q "install ok installed" || apt_install "$rt"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
  -DCMAKE_CXX_COMPILER=clang++ -DLOOM_FUZZ=ON -DLOOM_BUILD_TESTS=OFF \
  -DLOOM_BUILD_BENCH=OFF -DLOOM_BUILD_EXAMPLES=OFF -DLOOM_BUILD_APPS=OFF -DLOOM_INSTALL=OFF \
  > /tmp/loom-fuzz-configure.log || { cat /tmp/loom-fuzz-configure.log; exit 1; }
targets=()
for r in "${readers[@]}"; do targets+=("fuzz_$r"); done
cmake --build build-fuzz --target "${targets[@]}"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for r in "${readers[@]}"; do
  mkdir -p "build-fuzz/corpus/$r"
  echo "=== fuzz_$r for ${seconds} s"
  (cd build-fuzz && "./fuzz/fuzz_$r" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=4096 \
     "corpus/$r" "../fuzz/corpus/$r" 2>&1 | grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units|ERROR|SUMMARY|Deadly|==[0-9]+==" || true)
  # grep hides the exit status: a finding leaves crash-*/leak-*/timeout-* files behind.
  if ls build-fuzz/crash-* build-fuzz/leak-* build-fuzz/timeout-* >/dev/null 2>&1; then
    echo "fuzz_$r: finding saved in build-fuzz/"; exit 1
  fi
done
