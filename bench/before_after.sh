#!/usr/bin/env bash
# bench/before_after.sh: the same figures on two checkouts of taskio (a
# revision before a change and the current tree), run back to back, several
# times, the two alternating, so that both see the same machine. Used for
# doc/benchmarks.md's "Introspection and context: cost" (issue 14).
#
#   git worktree add --detach /work/wt/bench-before <revision>
#   bench/before_after.sh /work/wt/bench-before .
#   RUNS=7 ECHO=0 bench/before_after.sh /work/wt/bench-before .
#
# What it does
#   1. in each checkout, compiles lib/*.cpp and its own bench/task_bench.cpp
#      (+ bench/task_bench/*.cpp) with g++ -O2 -DNDEBUG (ccache, 2 jobs):
#      each side measures with its own harness, so the figure's code is the
#      checkout's (check that it did not change: git diff A B -- bench/);
#   2. RUNS times, alternating which side goes first: each checkout's
#      `task_bench --only $FIGURE --reps $REPS`, pinned to CPU $CPU (each
#      line is a median of REPS samples, with its ratio to plain Asio in the
#      same run), the load average before each;
#   3. with ECHO=1 (the default), ECHO_RUNS times, alternating: each
#      checkout's bench/echo_bench.sh with SERVERS="taskio asio-coro"
#      (REPS=$ECHO_REPS), writing to $BUILD_DIR, never to doc/;
#   4. prints, per side and figure, the median over the runs of the ratio
#      taskio / plain Asio and of the taskio value, with the min-max over
#      the runs (the noise), and the load averages seen.
#
# Knobs (environment): RUNS REPS FIGURE CPU ECHO ECHO_RUNS ECHO_REPS BUILD_DIR CXX
set -euo pipefail

[[ $# == 2 ]] || { echo "usage: bench/before_after.sh BEFORE_CHECKOUT AFTER_CHECKOUT" >&2; exit 64; }
BEFORE=$(cd "$1" && pwd)
AFTER=$(cd "$2" && pwd)
RUNS=${RUNS:-5}
REPS=${REPS:-5}
FIGURE=${FIGURE:-create_await}
CPU=${CPU:-1}
ECHO=${ECHO:-1}
ECHO_RUNS=${ECHO_RUNS:-3}
ECHO_REPS=${ECHO_REPS:-3}
BUILD_DIR=${BUILD_DIR:-/tmp/taskio-before-after-${USER:-$(id -un)}}
CXX=${CXX:-g++}
FLAGS=(-std=c++20 -O2 -DNDEBUG -DBOOST_LOG_DYN_LINK)  # then -I<checkout>/include -Wall -Wextra, as bench/run.sh
LIBS=(-lboost_log -lboost_thread -lpthread)

log() { printf '[before_after %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
CC_LAUNCH=()
command -v ccache >/dev/null && CC_LAUNCH=(ccache)

# --- build ------------------------------------------------------------------
build() {  # label checkout: skipped when the binary was built from the same clean revision
  local label=$1 root=$2 out="$BUILD_DIR/$1" src obj pids=() objs=() failed=0 rev
  rev=$(git -C "$root" rev-parse HEAD)
  if git -C "$root" diff --quiet HEAD -- include lib bench && [[ -x $out/task_bench &&
    $(cat "$out/revision" 2>/dev/null) == "$rev" ]]; then
    log "$label: $out/task_bench is up to date ($(git -C "$root" rev-parse --short HEAD))"
    return
  fi
  rm -f "$out/revision"
  mkdir -p "$out/obj"
  log "$label: building $root ($(git -C "$root" rev-parse --short HEAD)) in $out ..."
  local libs=("${LIBS[@]}")
  [[ -e $root/lib/call_stack.cpp ]] && libs+=(-lboost_stacktrace_backtrace)
  for src in "$root"/lib/*.cpp "$root/bench/task_bench.cpp" "$root"/bench/task_bench/*.cpp; do
    obj="$out/obj/$(basename "$(dirname "$src")")_$(basename "$src" .cpp).o"
    objs+=("$obj")
    "${CC_LAUNCH[@]}" "$CXX" "${FLAGS[@]}" -I"$root/include" -Wall -Wextra -c "$src" -o "$obj" &
    pids+=($!)
    while (($(jobs -rp | wc -l) >= 2)); do sleep 0.2; done
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || { log "$label: compilation failed"; exit 1; }
  "$CXX" -o "$out/task_bench" "${objs[@]}" "${libs[@]}"
  if git -C "$root" diff --quiet HEAD -- include lib bench; then echo "$rev" >"$out/revision"; fi
}
build before "$BEFORE"
build after "$AFTER"

# --- run ----------------------------------------------------------------------
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BUILD_DIR/results/$STAMP"
mkdir -p "$OUT"
{
  echo "before=$(git -C "$BEFORE" rev-parse --short HEAD)"
  echo "after=$(git -C "$AFTER" rev-parse --short HEAD)$(git -C "$AFTER" diff --quiet HEAD -- include lib || echo ' + uncommitted changes')"
} >"$OUT/env.txt"
side_order() {  # run number -> "before after" or "after before"
  if (($1 % 2)); then echo "after before"; else echo "before after"; fi
}
for r in $(seq 1 "$RUNS"); do
  for label in $(side_order "$r"); do
    log "task_bench run $r/$RUNS: $label (load $(loadavg))"
    {
      echo "# run=$r side=$label load=$(loadavg | tr ' ' '/')"
      taskset -c "$CPU" "$BUILD_DIR/$label/task_bench" --only "$FIGURE" --reps "$REPS" | grep '^name='
    } >>"$OUT/task_bench_$label.txt"
  done
done
if [[ $ECHO == 1 ]]; then
  for r in $(seq 1 "$ECHO_RUNS"); do
    for label in $(side_order "$r"); do
      root=$BEFORE
      [[ $label == after ]] && root=$AFTER
      log "echo_bench run $r/$ECHO_RUNS: $label (load $(loadavg))"
      echo "# run=$r side=$label load=$(loadavg | tr ' ' '/')" >>"$OUT/echo_$label.txt"
      BUILD_DIR="$BUILD_DIR/$label-echo" DOC="$OUT/echo-$label-$r.md" PNG="$OUT/echo-$label-$r.png" \
        SERVERS="taskio asio-coro" REPS="$ECHO_REPS" bash "$root/bench/echo_bench.sh" 2>>"$OUT/echo.log" |
        grep '^name=' >>"$OUT/echo_$label.txt"
    done
  done
fi

# --- summarize ----------------------------------------------------------------
python3 - "$OUT" <<'PY'
import re, sys, statistics, pathlib
out = pathlib.Path(sys.argv[1])
env = dict(l.split("=", 1) for l in (out / "env.txt").read_text().split("\n") if "=" in l)
def parse(path):
    """{name: [(value, ratio)]} over the runs, and the load averages seen."""
    figs, loads = {}, []
    if not path.exists():
        return figs, loads
    for line in path.read_text().splitlines():
        if line.startswith("# run="):
            loads.append(float(re.search(r"load=([\d.]+)", line).group(1)))
            continue
        kv = dict(t.split("=", 1) for t in line.split() if "=" in t)
        if "ratio" in kv:  # task_bench: a figure with its ratio to plain Asio
            figs.setdefault(kv["name"], []).append((float(kv["value"]), float(kv["ratio"])))
        elif "_ratio_" in kv.get("name", ""):  # echo_bench.sh: the ratio is the value
            figs.setdefault(kv["name"], []).append((float(kv["value"]), float(kv["value"])))
    return figs, loads
print(f"# before = {env['before'].strip()}, after = {env['after'].strip()}")
for kind in ("task_bench", "echo"):
    for side in ("before", "after"):
        figs, loads = parse(out / f"{kind}_{side}.txt")
        if not figs:
            continue
        print(f"# {kind} {side}: {len(loads)} runs, 1-min load average {min(loads):.2f}-{max(loads):.2f}")
        for name, v in sorted(figs.items()):
            vals = [x for x, _ in v]
            ratios = [r for _, r in v]
            print(f"name={name} side={side} runs={len(v)} ratio={statistics.median(ratios):.3f} "
                  f"ratio_min={min(ratios):.3f} ratio_max={max(ratios):.3f} value={statistics.median(vals):.2f} "
                  f"value_min={min(vals):.2f} value_max={max(vals):.2f}")
PY
log "raw lines in $OUT"
