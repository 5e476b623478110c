#!/usr/bin/env bash
# bench/echo_bench.sh: the echo benchmark. taskio's example/echo_server
# beside plain Asio (callbacks, coroutines), asyncio and uvloop (streams),
# all driven by the same closed-loop load generator, in the same run.
#
#   bench/echo_bench.sh           # full run: about 4.5 minutes of measuring
#                                 # (3 repetitions) after the build
#   QUICK=1 bench/echo_bench.sh   # smoke run: about 1 minute of measuring;
#                                 # writes to $BUILD_DIR, leaves doc/ alone
#
# The build takes seconds when ccache has the objects, 3-4 minutes cold on
# a busy 2-core machine (lib/*.cpp and echo_server.cpp at -O2).
#
# What it does
#   1. builds with g++ -O2 -DNDEBUG: example/echo_server.cpp (+ example/echo/,
#      example/common/) + lib/*.cpp
#      (ccache when present, at most 2 jobs), bench/echo_server_use_task.cpp
#      + lib/*.cpp, and from $SHARED/src
#      echo_load.cpp, echo_server_asio_cb.cpp, echo_server_asio_coro.cpp;
#      the Python servers are $SHARED/src/echo_server.py (uvloop: Debian's
#      python3-uvloop; without it those runs are skipped, with a note);
#   2. for each repetition, each server (the order rotates per repetition),
#      each connection count and message size: starts the server pinned to
#      SERVER_CPU (`taskset`), runs echo_load pinned to CLIENT_CPU for
#      DURATION seconds after WARMUP, stops the server by its PID;
#   3. prints one line per figure (`name=... value=... unit=... [ratio_vs=...
#      ratio=... target=... met=...]`): median requests/s and median server
#      CPU per request (server CPU-seconds / requests: on 2 cores the fair
#      figure, since the pair saturates both cores from ~50 connections), and
#      the ratios taskio / asio-coro (targets: CPU/request <= 1.05x,
#      requests/s >= 0.97x), taskio / uvloop streams (CPU/request <= 0.65x)
#      and taskio-use-task / asio-coro (CPU/request <= 1.05x);
#   4. plots them with gnuplot (bench/plot_echo.gp -> doc/echo_benchmark.png)
#      and rewrites the "Echo server" section of doc/benchmarks.md (between
#      its echo_bench.sh markers, in the hand-written tail that bench/run.sh
#      keeps; appended at the end the first time).
#
# Servers: taskio (echo_server --idle-timeout 0: the same work as the plain
# servers), taskio-idle (the shipped default, --idle-timeout 60: one timeout
# scope pushed back on every read), taskio-use-task (bench/echo_server_use_task.cpp:
# the asio-coro server written with taskio tasks and taskio::use_task on every
# operation), asio-cb, asio-coro, py-uvloop-streams, py-asyncio-streams.
#
# Knobs (environment): QUICK REPS DURATION WARMUP CONNS SIZES SERVERS
# SERVER_CPU CLIENT_CPU BUILD_DIR SHARED DOC PNG CXX PYTHON; RESULTS=<dir of
# an earlier run> only redoes step 3 and 4 from its raw.txt and env.txt.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED=${SHARED:-/work/shared/bench}
BUILD_DIR=${BUILD_DIR:-/tmp/taskio-echo-bench-${USER:-$(id -un)}}
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
  : "${REPS:=1}" "${DURATION:=1}" "${WARMUP:=0.2}"
  : "${DOC:=$BUILD_DIR/echo-quick.md}" "${PNG:=$BUILD_DIR/echo_benchmark-quick.png}"
fi
REPS=${REPS:-3}              # repetitions; figures are medians over them
DURATION=${DURATION:-2}      # seconds measured per run
WARMUP=${WARMUP:-0.3}        # seconds of load before measuring
CONNS=${CONNS:-"1 50 500"}
SIZES=${SIZES:-"64 4096"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
DOC=${DOC:-$ROOT/doc/benchmarks.md}
PNG=${PNG:-$ROOT/doc/echo_benchmark.png}
CXX=${CXX:-g++}
CXXFLAGS=(-std=c++20 -O2 -DNDEBUG -pthread -Wall -Wextra)

log() { printf '[echo_bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
command -v taskset >/dev/null || { log "need taskset (util-linux)"; exit 1; }

if [[ -z ${RESULTS:-} ]]; then
# --- build --------------------------------------------------------------------
BIN="$BUILD_DIR/bin"
mkdir -p "$BUILD_DIR/obj" "$BIN"
CC_LAUNCH=()
command -v ccache >/dev/null && CC_LAUNCH=(ccache)
compile() {  # src obj [flags...]: in the background, at most 2 jobs at once
  local src=$1 obj=$2; shift 2
  while (($(jobs -rp | wc -l) >= 2)); do sleep 0.2; done
  "${CC_LAUNCH[@]}" "$CXX" "${CXXFLAGS[@]}" "$@" -c "$src" -o "$obj" &
}
log "building (g++ -O2) in $BUILD_DIR ..."
TASKIO_FLAGS=(-DBOOST_LOG_DYN_LINK -I"$ROOT/include")
objs=()
for src in "$ROOT"/lib/*.cpp; do  # always recompiled (headers may have changed): ccache makes it cheap
  obj="$BUILD_DIR/obj/$(basename "$src" .cpp).o"
  objs+=("$obj")
  compile "$src" "$obj" "${TASKIO_FLAGS[@]}"
done
# the program and what it links: the echo service (example/echo/) and the
# examples' command line and console log (example/common/)
server_objs=()
for src in "$ROOT/example/echo_server.cpp" "$ROOT"/example/echo/*.cpp "$ROOT"/example/common/*.cpp; do
  obj="$BUILD_DIR/obj/example_$(basename "$(dirname "$src")")_$(basename "$src" .cpp).o"
  server_objs+=("$obj")
  compile "$src" "$obj" "${TASKIO_FLAGS[@]}" -I"$ROOT/example"
done
for p in echo_load echo_server_asio_cb echo_server_asio_coro; do
  compile "$SHARED/src/$p.cpp" "$BUILD_DIR/obj/$p.o"
done
compile "$HERE/echo_server_use_task.cpp" "$BUILD_DIR/obj/echo_server_use_task.o" "${TASKIO_FLAGS[@]}"
wait
"$CXX" -o "$BIN/echo_server" "${server_objs[@]}" "${objs[@]}" \
  -lboost_log_setup -lboost_log -lboost_thread -lboost_stacktrace_backtrace -lpthread
for p in echo_load echo_server_asio_cb echo_server_asio_coro; do
  "$CXX" -pthread -o "$BIN/$p" "$BUILD_DIR/obj/$p.o"
done
"$CXX" -o "$BIN/echo_server_use_task" "$BUILD_DIR/obj/echo_server_use_task.o" "${objs[@]}" \
  -lboost_log_setup -lboost_log -lboost_thread -lboost_stacktrace_backtrace -lpthread

pick_python() {  # the first python3 that has uvloop
  local p
  for p in ${PYTHON:-} $(type -aP python3); do
    if "$p" -c 'import uvloop' 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}
NOTES=()
if PY=$(pick_python); then
  DEFAULT_SERVERS="taskio taskio-idle taskio-use-task asio-cb asio-coro py-uvloop-streams py-asyncio-streams"
else
  PY=$(type -P python3)
  NOTES+=("uvloop is not installed (apt-get install python3-uvloop): its runs were skipped")
  log "note: ${NOTES[-1]}"
  DEFAULT_SERVERS="taskio taskio-idle taskio-use-task asio-cb asio-coro py-asyncio-streams"
fi
SERVERS=${SERVERS:-$DEFAULT_SERVERS}

# --- run ------------------------------------------------------------------------
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BUILD_DIR/results/$STAMP"
mkdir -p "$OUT/logs"
RAW="$OUT/raw.txt"
: >"$RAW"

SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

start_server() {  # name -> SERVER_PID, SERVER_PORT
  local name=$1 slog="$OUT/logs/server-$1.log" pin=(taskset -c "$SERVER_CPU")
  : >"$slog"
  case $name in
    taskio)      "${pin[@]}" "$BIN/echo_server" --port 0 --idle-timeout 0 >>"$slog" 2>&1 & ;;
    taskio-idle) "${pin[@]}" "$BIN/echo_server" --port 0 >>"$slog" 2>&1 & ;;
    taskio-use-task) "${pin[@]}" "$BIN/echo_server_use_task" 0 >>"$slog" 2>&1 & ;;
    asio-cb)     "${pin[@]}" "$BIN/echo_server_asio_cb" 0 >>"$slog" 2>&1 & ;;
    asio-coro)   "${pin[@]}" "$BIN/echo_server_asio_coro" 0 >>"$slog" 2>&1 & ;;
    py-uvloop-streams)  "${pin[@]}" "$PY" "$SHARED/src/echo_server.py" 0 --loop uvloop --api streams >>"$slog" 2>&1 & ;;
    py-asyncio-streams) "${pin[@]}" "$PY" "$SHARED/src/echo_server.py" 0 --loop asyncio --api streams >>"$slog" 2>&1 & ;;
    *) log "unknown server $name"; return 1 ;;
  esac
  SERVER_PID=$!
  local i
  for i in $(seq 100); do
    grep -q '^listening 127\.0\.0\.1:' "$slog" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { log "server $name died"; cat "$slog" >&2; SERVER_PID=""; return 1; }
    sleep 0.1
  done
  SERVER_PORT=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$slog" | head -1)
  [[ -n "$SERVER_PORT" ]] || { log "server $name not ready"; stop_server; return 1; }
}

read -r -a SERVER_LIST <<<"$SERVERS"
NS=${#SERVER_LIST[@]}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
log "servers=[$SERVERS] conns=[$CONNS] sizes=[$SIZES] ${DURATION}s (+${WARMUP}s warm-up) x $REPS reps"
for rep in $(seq 1 "$REPS"); do
  for k in $(seq 0 $((NS - 1))); do
    s=${SERVER_LIST[$(((k + rep - 1) % NS))]}  # rotate the order each repetition
    start_server "$s" || continue
    for c in $CONNS; do
      for sz in $SIZES; do
        rc=0
        line=$(taskset -c "$CLIENT_CPU" "$BIN/echo_load" --port "$SERVER_PORT" --conns "$c" --size "$sz" \
                 --duration "$DURATION" --warmup "$WARMUP" --label "$s" --server-pid "$SERVER_PID" \
                 2>>"$OUT/logs/echo_load.err") || rc=$?
        echo "$line rep=$rep rc=$rc" | tee -a "$RAW" >&2
      done
    done
    stop_server
  done
done

# --- summarize, plot, document ---------------------------------------------------
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "seconds=$(($(date +%s) - start))"
  # one key per line: values may hold spaces
  printf '%s\n' "reps=$REPS" "duration_s=$DURATION" "warmup_s=$WARMUP" "server_cpu=$SERVER_CPU" \
    "client_cpu=$CLIENT_CPU" "cpus=$(nproc)"
  echo "model=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
  echo "kernel=$(uname -r)"
  echo "cxx=$("$CXX" --version | head -1)"
  echo "boost=$(printf '#include <boost/version.hpp>\nBOOST_LIB_VERSION\n' | "$CXX" -E -x c++ - 2>/dev/null | tail -1 | tr -d '"')"
  echo "python=$("$PY" -c 'import sys; print(sys.version.split()[0])')"
  echo "uvloop=$("$PY" -c 'import uvloop; print(uvloop.__version__)' 2>/dev/null || echo none)"
  echo "load_before=$LOAD_BEFORE"
  echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "servers=$SERVERS"
  echo "conns=$CONNS"
  echo "sizes=$SIZES"
  for n in "${NOTES[@]}"; do echo "note=$n"; done
} >"$OUT/env.txt"
else
  OUT=$RESULTS RAW=$RESULTS/raw.txt start=$(date +%s)
  SERVERS=$(sed -n 's/^servers=//p' "$OUT/env.txt")
  SIZES=$(sed -n 's/^sizes=//p' "$OUT/env.txt")
fi

python3 - "$RAW" "$OUT/env.txt" "$OUT/plot.dat" "$DOC" <<'PY'
import statistics, sys
raw, env_path, plot_path, doc_path = sys.argv[1:]
env = {}
notes = []
for line in open(env_path):
    k, _, v = line.rstrip("\n").partition("=")
    if k == "note": notes.append(v)
    else: env[k] = v
servers, conns, sizes = env["servers"].split(), [int(c) for c in env["conns"].split()], [int(s) for s in env["sizes"].split()]

runs = {}   # (server, conns, size) -> [(rps, cpu_us_per_request, other_cpu)]
for line in open(raw):
    d = dict(t.split("=", 1) for t in line.split() if "=" in t)
    if d.get("kind") != "echo" or d.get("rc") != "0" or d.get("errors") != "0" or d.get("mismatches") != "0":
        continue
    rps, cpu = float(d["rps"]), float(d["server_cpu"])
    if rps <= 0 or cpu < 0: continue
    runs.setdefault((d["server"], int(d["conns"]), int(d["size"])), []).append((rps, cpu / rps * 1e6, float(d["other_cpu"])))

def med(key, i):
    v = [r[i] for r in runs.get(key, [])]
    return statistics.median(v) if v else None

def fig(metric, server, c, s): return f"echo_{metric}_{server}_c{c}_{s}b"

lines, fig_lines = [], []
for c in conns:
    for s in sizes:
        for sv in servers:
            n = len(runs.get((sv, c, s), []))
            if not n: continue
            for metric, i, unit, fmt in (("rps", 0, "req/s", "%.0f"), ("cpu", 1, "us/req", "%.2f")):
                vals = [r[i] for r in runs[(sv, c, s)]]
                fig_lines.append(f"name={fig(metric, sv, c, s)} value={fmt % med((sv, c, s), i)} unit={unit} "
                                 f"n={n} min={fmt % min(vals)} max={fmt % max(vals)}")
# ratios: (server, metric, base, target, better-when)
checks = [("taskio", "cpu", "asio-coro", 1.05, "<="), ("taskio", "rps", "asio-coro", 0.97, ">="),
          ("taskio", "cpu", "py-uvloop-streams", 0.65, "<="), ("taskio-use-task", "cpu", "asio-coro", 1.05, "<=")]
ratio_rows = []   # (c, s, server, metric, base, ratio, target, op, met)
for c in conns:
    for s in sizes:
        for sv, metric, base, target, op in checks:
            i = 0 if metric == "rps" else 1
            a, b = med((sv, c, s), i), med((base, c, s), i)
            if a is None or b is None: continue
            r = a / b
            met = r <= target if op == "<=" else r >= target
            ratio_rows.append((c, s, sv, metric, base, r, target, op, met))
            fig_lines.append(f"name=echo_{metric}_ratio_{sv}_vs_{base}_c{c}_{s}b value={r:.3f} unit=x "
                             f"ratio_vs={fig(metric, base, c, s)} target={op}{target} met={'yes' if met else 'no'}")
print("\n".join(fig_lines))

# gnuplot data: one block per (size, server), lines "conns rps cpu_us"
with open(plot_path, "w") as f:
    for s in sizes:
        for sv in servers:
            f.write(f"# {sv} {s} B\n")
            for c in conns:
                r, u = med((sv, c, s), 0), med((sv, c, s), 1)
                f.write(f"{c} {r if r is not None else 'NaN'} {u if u is not None else 'NaN'}\n")
            f.write("\n\n")

# the doc section
def cell(key, i, fmt):
    v = med(key, i)
    return "-" if v is None else fmt.format(v)
hdr = "| connections | message | " + " | ".join(servers) + " |\n|---|---|" + "---|" * len(servers) + "\n"
def table(i, fmt):
    return hdr + "".join(f"| {c} | {s} B | " + " | ".join(cell((sv, c, s), i, fmt) for sv in servers) + " |\n"
                         for c in conns for s in sizes)
contended = sum(1 for v in runs.values() for r in v if r[2] > 0.15)
total = sum(len(v) for v in runs.values())
names = {"cpu": "CPU/request", "rps": "requests/s"}
rt = "| connections | message | " + " | ".join(f"{sv}: {names[m]} vs {b} (target {op} {t}x)" for sv, m, b, t, op in checks) + " |\n"
rt += "|---|---|" + "---|" * len(checks) + "\n"
for c in conns:
    for s in sizes:
        cells = []
        for sv, m, b, t, op in checks:
            row = [x for x in ratio_rows if x[:5] == (c, s, sv, m, b)]
            cells.append("-" if not row else f"{row[0][5]:.2f}" + ("" if row[0][8] else " **(missed)**"))
        rt += f"| {c} | {s} B | " + " | ".join(cells) + " |\n"
note_text = "".join(f"\nNote: {n}.\n" for n in notes)
section = f"""<!-- echo_bench.sh: begin (bench/echo_bench.sh rewrites everything up to the end marker) -->
## Echo server

Measured by `bench/echo_bench.sh` on {env['date']} ({env['seconds']} s of measuring): taskio's
`example/echo_server` beside the reference servers of `/work/shared/bench/src` (plain Asio
completion callbacks, plain Asio `awaitable` + `co_spawn` per connection, Python {env['python']}
streams on asyncio and on uvloop {env['uvloop']}), driven by the same closed-loop load generator
(`echo_load`: C connections, each sends one message and waits for its whole echo before the next).
`taskio` runs with `--idle-timeout 0` (the same work as the plain servers: a task per connection
reading and writing with `use_awaitable`); `taskio-idle` is the shipped default, which also keeps
one timeout scope per connection and pushes it back on every read; `taskio-use-task`
(`bench/echo_server_use_task.cpp`) is the asio-coro server line for line as a taskio program:
a task per connection and `taskio::use_task` on every accept, read and write.

Method: {env['cpus']} CPUs ({env['model']}), Linux {env['kernel']}, {env['cxx']}, Boost {env['boost']},
`-O2 -DNDEBUG`. Server pinned to CPU {env['server_cpu']}, load generator to CPU {env['client_cpu']}
(`taskset`); {env['duration_s']} s measured after {env['warmup_s']} s of warm-up per run; {env['reps']}
repetition(s) with the server order rotated; medians. Server CPU per request = the server's CPU
time (from `/proc/<pid>/stat`) / requests: on two cores the pair saturates both from ~50
connections, so requests/s mostly measures the load generator and the machine, CPU per request
the server. The machine is shared with other engineers' builds (load average
{env['load_before']} before, {env['load_after']} after; {contended} of {total} runs had more than
0.15 cores of foreign load on the two CPUs): compare ratios within this run, not absolute figures
across runs.
{note_text}
Requests per second (median):

{table(0, "{:,.0f}")}
Server CPU per request, microseconds (median; lower is better):

{table(1, "{:.2f}")}
Ratios of medians, taskio (and taskio-use-task) / reference:

{rt}
![echo benchmark: requests/s and server CPU per request by connection count](echo_benchmark.png)

<!-- echo_bench.sh: end -->
"""
BEGIN, END = "<!-- echo_bench.sh: begin", "<!-- echo_bench.sh: end -->"
try:
    text = open(doc_path).read()
except FileNotFoundError:
    text = ""
b, e = text.find(BEGIN), text.find(END)
if b >= 0 and e > b:
    text = text[:b] + section + text[e + len(END) + 1:]
else:
    text = text.rstrip("\n") + ("\n\n" if text else "") + section
open(doc_path, "w").write(text)
PY

if command -v gnuplot >/dev/null; then
  gnuplot -e "datafile='$OUT/plot.dat'; outfile='$PNG'; servers='$SERVERS'; sizes='$SIZES'" "$HERE/plot_echo.gp"
  log "plot: $PNG"
else
  log "note: gnuplot is not installed (apt-get install gnuplot-nox): no plot"
fi
log "done in $(($(date +%s) - start)) s of running: raw lines in $OUT, section in $DOC"
