#!/usr/bin/env bash
# bench/run.sh: builds and runs taskio's task micro-benchmarks (each figure
# beside its plain-Asio equivalent: tasks, resumption, context switching,
# the synchronization primitives and queue) and writes doc/benchmarks.md.
#
#   bench/run.sh            # full run, about 10 minutes on 2 busy cores
#   QUICK=1 bench/run.sh    # smoke run, about 1-2 minutes: N / 10, 3 samples;
#                           # writes $BUILD_DIR/benchmarks-quick.md(.png), not doc/
#
# What it does
#   1. compiles lib/*.cpp with g++ -O2 -DNDEBUG (ccache if present, 2 jobs)
#      and links bench/task_bench.cpp (+ bench/task_bench/*.cpp: the harness
#      and one file per figure) twice: task_bench (timing, memory) and
#      task_bench_allocs (-DBENCH_COUNT_ALLOCS: malloc interposed, counts);
#   2. runs, pinned to one CPU: task_bench (warm samples), task_bench --cold
#      (no warm-up) for the timed figures, task_bench_allocs;
#   3. bench/summarize.py turns the lines into the markdown page and the
#      plot's data; gnuplot (bench/plot.gp) draws the ratios by figure into a
#      PNG beside the page. The page's hand-written tail (from its KEEP marker
#      on) and its "## Echo server" section are carried over.
#
# Knobs (environment): QUICK REPS COLD_REPS CPU BUILD_DIR DOC CXX SKIP_COLD ONLY
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
QUICK=${QUICK:-0}
BUILD_DIR=${BUILD_DIR:-/tmp/taskio-bench-${USER:-$(id -un)}}
CXX=${CXX:-g++}
CPU=${CPU:-1}
SKIP_COLD=${SKIP_COLD:-0}
ONLY=${ONLY:-}
COLD_REPS=${COLD_REPS:-3}
if [[ $QUICK == 1 ]]; then
  REPS=${REPS:-3}
  DOC=${DOC:-$BUILD_DIR/benchmarks-quick.md}
  RUN_ARGS=(--quick --reps "$REPS")
else
  REPS=${REPS:-5}
  DOC=${DOC:-$ROOT/doc/benchmarks.md}
  RUN_ARGS=(--reps "$REPS")
fi
[[ -n $ONLY ]] && RUN_ARGS+=(--only "$ONLY")
FLAGS=(-std=c++20 -O2 -DNDEBUG -DBOOST_LOG_DYN_LINK -I"$ROOT/include" -Wall -Wextra)
LIBS=(-lboost_log -lboost_thread -lboost_stacktrace_backtrace -lpthread)  # stacktrace: lib/call_stack.cpp

log() { printf '[run.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- build ------------------------------------------------------------------
mkdir -p "$BUILD_DIR/obj"
CC_LAUNCH=()
command -v ccache >/dev/null && CC_LAUNCH=(ccache)

# at most 2 compile jobs; a failed one stops the script (no stale object)
pids=()
compile() {
  "${CC_LAUNCH[@]}" "$CXX" "${FLAGS[@]}" "$@" &
  pids+=($!)
  while (($(jobs -rp | wc -l) >= 2)); do sleep 0.2; done
}
wait_compiles() {
  local pid failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  pids=()
  if ((failed)); then
    log "compilation failed"
    exit 1
  fi
}
log "building lib objects (-O2) in $BUILD_DIR ..."
objs=()
for src in "$ROOT"/lib/*.cpp; do
  obj="$BUILD_DIR/obj/$(basename "$src" .cpp).o"
  objs+=("$obj")
  rm -f "$obj"
  # always recompiled (headers may have changed): ccache makes it cheap
  compile -c "$src" -o "$obj"
done
log "compiling and linking task_bench and task_bench_allocs ..."
# every file of task_bench twice: the counting build compiles all of them
# with -DBENCH_COUNT_ALLOCS (alloc_count.hpp)
# (objects under obj/: $BUILD_DIR/task_bench is the program)
mkdir -p "$BUILD_DIR/obj/task_bench" "$BUILD_DIR/obj/task_bench_allocs"
bench_objs=()
alloc_objs=()
for src in "$HERE/task_bench.cpp" "$HERE"/task_bench/*.cpp; do
  name=$(basename "$src" .cpp)
  bench_objs+=("$BUILD_DIR/obj/task_bench/$name.o")
  alloc_objs+=("$BUILD_DIR/obj/task_bench_allocs/$name.o")
  rm -f "${bench_objs[-1]}" "${alloc_objs[-1]}"
  compile -c "$src" -o "${bench_objs[-1]}"
  compile -DBENCH_COUNT_ALLOCS -c "$src" -o "${alloc_objs[-1]}"
done
wait_compiles
"$CXX" -o "$BUILD_DIR/task_bench" "${bench_objs[@]}" "${objs[@]}" "${LIBS[@]}"
"$CXX" -o "$BUILD_DIR/task_bench_allocs" "${alloc_objs[@]}" "${objs[@]}" "${LIBS[@]}"

# --- run --------------------------------------------------------------------
PIN=()
if command -v taskset >/dev/null && taskset -c "$CPU" true 2>/dev/null; then
  PIN=(taskset -c "$CPU")
else
  log "taskset unavailable or CPU $CPU not usable: running unpinned"
  CPU="none"
fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BUILD_DIR/results/$STAMP"
mkdir -p "$OUT"
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE=$(loadavg)
# CPU time (user + system) of the finished children, in clock ticks
children_ticks() { awk '{print $16 + $17}' /proc/$$/stat; }
ticks0=$(children_ticks)
start=$(date +%s)

log "task_bench ${RUN_ARGS[*]} (warm) ..."
"${PIN[@]}" "$BUILD_DIR/task_bench" "${RUN_ARGS[@]}" | tee "$OUT/plain.txt"
raws=("$OUT/plain.txt")
if [[ $SKIP_COLD != 1 ]]; then
  log "task_bench --cold ..."
  # fewer samples: the cold table is secondary
  "${PIN[@]}" "$BUILD_DIR/task_bench" "${RUN_ARGS[@]}" --reps "$COLD_REPS" --cold | tee "$OUT/cold.txt"
  raws+=("$OUT/cold.txt")
fi
log "task_bench_allocs ..."
ALLOC_ARGS=()
[[ $QUICK == 1 ]] && ALLOC_ARGS=(--quick)
[[ -n $ONLY ]] && ALLOC_ARGS+=(--only "$ONLY")
"${PIN[@]}" "$BUILD_DIR/task_bench_allocs" --reps 1 "${ALLOC_ARGS[@]}" | tee "$OUT/allocs.txt"
raws+=("$OUT/allocs.txt")

# --- summarize ----------------------------------------------------------------
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "reps=$REPS"
  echo "cold_reps=$COLD_REPS"
  echo "cpus=$(nproc)"
  echo "model=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
  echo "kernel=$(uname -r)"
  echo "mem=$(awk '/MemTotal/{printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "cxx=$("$CXX" --version | head -1)"
  echo "boost=$(printf '#include <boost/version.hpp>\nBOOST_LIB_VERSION\n' | "$CXX" -E -x c++ - 2>/dev/null | tail -1 | tr -d '"')"
  echo "flags=${FLAGS[*]}"
  echo "cpu=$CPU"
  echo "load_before=$LOAD_BEFORE"
  echo "load_after=$(loadavg)"
  echo "seconds=$(($(date +%s) - start))"
  echo "cpu_seconds=$((($(children_ticks) - ticks0) / $(getconf CLK_TCK)))"
  echo "revision=$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- include lib || echo ' + uncommitted changes')"
} >"$OUT/env.txt"
PNG="${DOC%.md}.png"
SUMMARIZE_ARGS=()
[[ $QUICK == 1 ]] && SUMMARIZE_ARGS=(--quick)
python3 "$HERE/summarize.py" --env "$OUT/env.txt" --out "$DOC" --plot-data "$OUT/plot.dat" \
  --plot-image "$(basename "$PNG")" "${SUMMARIZE_ARGS[@]}" "${raws[@]}"
if command -v gnuplot >/dev/null; then
  gnuplot -e "datafile='$OUT/plot.dat'; outfile='$PNG'" "$HERE/plot.gp"
else
  log "gnuplot missing (apt-get install gnuplot-nox): no $PNG"
fi
log "done in $(($(date +%s) - start)) s of running: raw lines in $OUT, page $DOC"
