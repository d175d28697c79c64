#!/bin/sh
# Builds bench/core_bench.c with -O2 (as the driver is built) and runs it pinned to CPU 0
# when taskset is available. Usage: sh packages/driver/bench/run.sh [runs]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
driver=$(dirname "$here")
cc=${CC:-cc}
cflags="-std=c99 -O2 -Wall -Wextra -Werror"
exe=${TMPDIR:-/tmp}/wfpkit-core-bench
# Only the modules it measures: the stream classifiers and the event ring (the flow table and
# sessions need a host platform.h implementation, which the benchmark does not provide).
sources="$driver/src/core/classify.c $driver/src/core/classify_tls.c $driver/src/core/classify_http.c $driver/src/core/classify_ssh.c $driver/src/core/ring.c"
echo "build: $cc $cflags -I $driver/include -I $driver/src/core $here/core_bench.c $sources -o $exe"
# shellcheck disable=SC2086
$cc $cflags -DWK_BENCH_CFLAGS="\"$cflags\"" -I "$driver/include" -I "$driver/src/core" \
    "$here/core_bench.c" $sources -o "$exe"
# The tagging benchmark: the whole core (tag ledger, flow table, sessions, ring, dispatcher)
# with its own platform.h (bench/tag_bench.c).
tagexe=${TMPDIR:-/tmp}/wfpkit-tag-bench
coresrc=$(ls "$driver"/src/core/*.c)
echo "build: $cc $cflags -I $driver/include -I $driver/src/core $here/tag_bench.c <src/core/*.c> -o $tagexe"
# shellcheck disable=SC2086
$cc $cflags -I "$driver/include" -I "$driver/src/core" "$here/tag_bench.c" $coresrc -o "$tagexe"
# WK_BENCH_BUILD_ONLY=1: stop after the build (the test suite checks the benchmarks still build).
if [ "${WK_BENCH_BUILD_ONLY:-0}" = 1 ]; then exit 0; fi
pin=""
if command -v taskset >/dev/null 2>&1; then
    pin="taskset -c 0"
else
    echo "(taskset not available: not pinned)"
fi
echo "run: $pin $exe ${1:-11}"
$pin "$exe" "${1:-11}"
echo "run: $pin $tagexe 5"
exec $pin "$tagexe" 5
