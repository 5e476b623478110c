#!/usr/bin/env bash
# bench/all.sh: every benchmark, one after the other, about 8-9 minutes on two
# cores: bench/run.sh (task micro-benchmarks beside plain Asio: the targets
# table, doc/benchmarks.png) then bench/echo_bench.sh (the echo servers: the
# "Echo server" section, doc/echo_benchmark.png), then bench/compile_time.sh
# (the "Compile time" section: <taskio.hpp> against <boost/asio.hpp>). All
# write doc/benchmarks.md and keep each other's parts. Their knobs (QUICK=1, ...) pass through.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
start=$(date +%s)
bash "$HERE/run.sh"
bash "$HERE/echo_bench.sh"
bash "$HERE/compile_time.sh"
echo "[all.sh] done in $(($(date +%s) - start)) s"
