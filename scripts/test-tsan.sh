#!/usr/bin/env bash
# Builds the concurrency tests (predict from 16 threads on shared models, predict_nodes) with ThreadSanitizer in
# build-tsan/ (CPU only, gcc, -O1 -g1) and runs them. Not in CI: the instrumented build of the whole library takes
# tens of minutes on two cores. A report from TSan fails the run (halt_on_error).
#   scripts/test-tsan.sh [TEST_TARGET...]      default: predict_threads_test predict_nodes_test
#
# oneTBB: Debian's libtbb is not instrumented, so TSan cannot see the synchronisation inside TBB's scheduler and
# would report the hand-off of a parallel_for's output rows (written on a TBB worker, read by the caller after the
# join) as a race. LOOM_TEST_TBB_THREADS=1 (read by tests/models/serving_fixture.h) caps TBB at one thread,
# so every kernel runs on the thread that called it and what TSan checks is exactly the concurrency between the
# serving threads: shared models, graphs and caches.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(predict_threads_test predict_nodes_test)
./scripts/setup.sh
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}"
cmake -S . -B build-tsan -G Ninja -DLOOM_CUDA=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" "-DCMAKE_CXX_FLAGS=-fsanitize=thread -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DLOOM_BUILD_BENCH=OFF -DLOOM_BUILD_EXAMPLES=OFF \
  -DLOOM_BUILD_APPS=OFF -DLOOM_INSTALL=OFF > /tmp/loom-tsan-configure.log || { cat /tmp/loom-tsan-configure.log; exit 1; }
ninja -C build-tsan -j"${JOBS:-2}" "${targets[@]}"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
export LOOM_TEST_TBB_THREADS="${LOOM_TEST_TBB_THREADS:-1}"
for t in "${targets[@]}"; do
  exe=$(find build-tsan/tests -name "$t" -type f -perm -u+x | head -1)
  echo "== $t (TSan, LOOM_TEST_TBB_THREADS=$LOOM_TEST_TBB_THREADS)"
  "$exe"
done
echo "test-tsan: no data race reported"
