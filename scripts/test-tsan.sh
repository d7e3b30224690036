#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# Builds the concurrency tests (predict and predict_nodes served from 16 threads on shared models and graphs, warm
# and cold) with ThreadSanitizer in build-tsan/ (CPU only, gcc, -O1 -g1) and runs them. Not in CI: the
# instrumented build of the whole library takes about 15 minutes on two cores. Any TSan report fails the run.
#   scripts/test-tsan.sh [TEST_TARGET...]      default: predict_threads_test predict_nodes_test
#
# oneTBB: Debian's libtbb is not instrumented, so TSan cannot see how TBB's scheduler hands task objects and output
# rows between its threads, and reports hundreds of false races inside TBB (about 900 for predict_nodes_test with a
# single calling thread; capping TBB at one thread still leaves some, from its task-object pool shared by the
# calling threads). scripts/tsan/oneapi/tbb/ holds serial stand-ins for parallel_for, parallel_reduce and
# parallel_sort, first on this build's include path: every loop runs inline on its calling thread, the only threads
# are the tests' own, and TSan checks exactly what serving shares between them (models, graphs, hypergraphs, their
# caches). Races between TBB's workers inside one kernel are out of its reach either way.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(predict_threads_test predict_nodes_test)
./scripts/setup.sh
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}"
cmake -S . -B build-tsan -G Ninja -DLOOM_CUDA=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" \
  "-DCMAKE_CXX_FLAGS=-fsanitize=thread -fno-omit-frame-pointer -I$PWD/scripts/tsan" \
  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DLOOM_BUILD_BENCH=OFF -DLOOM_BUILD_EXAMPLES=OFF \
  -DLOOM_BUILD_APPS=OFF -DLOOM_INSTALL=OFF > /tmp/loom-tsan-configure.log || { cat /tmp/loom-tsan-configure.log; exit 1; }
ninja -C build-tsan -j"${JOBS:-2}" "${targets[@]}"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan/suppressions.txt ${TSAN_OPTIONS:-}"
for t in "${targets[@]}"; do
  exe=$(find build-tsan/tests -name "$t" -type f -perm -u+x | head -1)
  echo "== $t (ThreadSanitizer, serial TBB loops)"
  "$exe"
done
echo "test-tsan: no data race reported"
