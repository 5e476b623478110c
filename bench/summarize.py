#!/usr/bin/env python3
"""summarize.py: task_bench output -> doc/benchmarks.md.

usage: summarize.py --env ENV --out DOC RAW [RAW...]

RAW files hold task_bench's lines (`name=<id> value=<v> unit=<u> [ratio_vs=<id>
ratio=<x>] n=<N> reps=<R> min=<> max=<>`; lines starting with '#' are
details). ENV holds `key=value` lines about the machine and the run. The
generated part of DOC is rewritten; everything from the KEEP marker on (the
hand-written sections: notes, figures not yet measured) is carried over from
the existing DOC.
"""
import argparse
import os
import re

KEEP = "<!-- everything below this line is hand-written: bench/run.sh keeps it -->"

# (label, taskio id, Asio baseline id, target ratio or None, extra check or None)
ROWS = [
    ("create a task + await it, sequential", "taskio_create_await", "asio_create_await", 1.10, None),
    ("(same, Asio baseline with its reactor running)", "taskio_create_await", "asio_create_await_reactor", None,
     None),
    ("spawn 1M tasks + join all (done callbacks)", "taskio_spawn_join_1m", "asio_spawn_join_1m", 1.10, None),
    ("spawn 1M tasks + join all (await each)", "taskio_spawn_join_await_1m", "asio_spawn_join_1m", None, None),
    ("spawn 1M tasks + join all (kernel node)", "taskio_spawn_join_node_1m", "asio_spawn_join_1m", None, None),
    ("spawn 100k tasks + join all (done callbacks)", "taskio_spawn_join_100k", "asio_spawn_join_100k", 1.10, None),
    ("spawn 100k tasks + join all (await each)", "taskio_spawn_join_await_100k", "asio_spawn_join_100k", None, None),
    ("spawn 100k tasks + join all (kernel node)", "taskio_spawn_join_node_100k", "asio_spawn_join_100k", None, None),
    ("memory per suspended task, RSS growth", "taskio_mem_rss", "asio_mem_rss", 1.15, ("< asyncio 1,520 B", 1520)),
    ("memory per suspended task, heap in use (mallinfo2)", "taskio_mem_heap", "asio_mem_heap", 1.15, None),
    ("memory per suspended task, live heap (counted)", "taskio_mem_heap_live", "asio_mem_heap_live", None, None),
    ("cancel 100k sleeping tasks until all done (done callbacks)", "taskio_cancel_100k", "asio_cancel_100k", 1.2,
     None),
    ("cancel 100k sleeping tasks until all done (kernel node)", "taskio_cancel_node_100k", "asio_cancel_100k", None,
     None),
    ("allocations per create + await", "taskio_create_await_allocs", "asio_create_await_allocs", None, None),
    ("allocations per spawned + joined task (done callbacks)", "taskio_spawn_join_allocs", "asio_spawn_join_allocs",
     None, None),
    ("allocations per spawned + joined task (await each)", "taskio_spawn_join_await_allocs",
     "asio_spawn_join_allocs", None, None),
    ("allocations per spawned + joined task (kernel node)", "taskio_spawn_join_node_allocs",
     "asio_spawn_join_allocs", None, None),
    ("allocations per suspended task", "taskio_mem_allocs", "asio_mem_allocs", None, None),
    ("allocations per cancelled task (done callbacks)", "taskio_cancel_allocs", "asio_cancel_allocs", None, None),
    ("allocations per cancelled task (kernel node)", "taskio_cancel_node_allocs", "asio_cancel_allocs", None, None),
]


def parse(paths):
    figs = {}
    for path in paths:
        for line in open(path):
            if not line.startswith("name="):
                continue
            kv = dict(tok.split("=", 1) for tok in line.split() if "=" in tok)
            try:
                kv["value"] = float(kv["value"])
            except (KeyError, ValueError):
                continue
            figs[kv["name"]] = kv
    return figs


def fmt(v, unit):
    if unit in ("allocs/task",):
        return f"{v:.2f}"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.1f}"


def spread(f):
    if int(f.get("reps", "1")) < 2:
        return ""
    return f" ({fmt(float(f['min']), f['unit'])}-{fmt(float(f['max']), f['unit'])})"


def table(figs, rows, suffix=""):
    out = ["| figure | unit | taskio | plain Asio | ratio | target | met |", "|---|---|---|---|---|---|---|"]
    for label, t_id, a_id, target, extra in rows:
        t, a = figs.get(t_id + suffix), figs.get(a_id + suffix)
        if not t or not a:
            continue
        ratio = t["value"] / a["value"] if a["value"] else float("inf")
        tgt, met = "", ""
        if target is not None:
            tgt = f"<= {target:.2f}x"
            ok = ratio <= target
            if extra:
                tgt += f" and {extra[0]}"
                ok = ok and t["value"] < extra[1]
            met = "yes" if ok else "**no**"
        out.append(f"| {label} | {t['unit']} | {fmt(t['value'], t['unit'])}{spread(t)} | "
                   f"{fmt(a['value'], a['unit'])}{spread(a)} | {ratio:.2f} | {tgt} | {met} |")
    return "\n".join(out)


def read_env(path):
    env = {}
    if path and os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def kept_part(doc):
    if os.path.exists(doc):
        text = open(doc).read()
        i = text.find(KEEP)
        if i >= 0:
            return text[i:]
    return KEEP + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env")
    ap.add_argument("--out", required=True)
    ap.add_argument("raw", nargs="+")
    a = ap.parse_args()
    figs = parse(a.raw)
    env = read_env(a.env)
    kept = kept_part(a.out)  # before the file is rewritten
    cold_rows = [r for r in ROWS if not r[1].endswith("_allocs") and "mem" not in r[1]]

    parts = [f"""# taskio benchmarks

Generated by `bench/run.sh` on {env.get('date', '?')} from `bench/task_bench.cpp`: every taskio
figure beside its plain-Asio equivalent, measured in the same run. Medians of
{env.get('reps', '?')} samples per side (min-max in parentheses); ratio = taskio / plain Asio
(lower is better for taskio).

## How to run

```sh
bench/run.sh              # full run: builds both binaries, about 3-5 minutes on 2 cores
QUICK=1 bench/run.sh      # smoke run, about 30 s (N / 10, 3 samples; writes $BUILD_DIR/benchmarks-quick.md)
REPS=7 CPU=0 bench/run.sh # more samples, another core
# one figure by hand (after a run, binaries are in $BUILD_DIR, default /tmp/taskio-bench-$USER):
taskset -c 1 /tmp/taskio-bench-$USER/task_bench --only spawn_join_1m --verbose
```

## Machine and method

- {env.get('cpus', '?')} CPUs, `{env.get('model', '?')}`, Linux {env.get('kernel', '?')}, {env.get('mem', '?')} RAM;
  `{env.get('cxx', '?')}`, Boost {env.get('boost', '?')}; flags `{env.get('flags', '?')}`.
- Pinned to CPU {env.get('cpu', '?')} (`taskset`). Load average before / after the run:
  {env.get('load_before', '?')} / {env.get('load_after', '?')} (the machine is shared: see "Noise" below).
- One thread, one `asio::io_context(1)` per sample on both sides. taskio runs inside
  `taskio::run(main)` (which creates exactly that io_context); Asio runs inside a coroutine
  co_spawned on a fresh `io_context(1)`. Only the measured window is timed, never loop
  set-up or shutdown.
- Times are the thread's **CPU time** (`CLOCK_THREAD_CPUTIME_ID`, user + system) per operation,
  so time during which other processes held the core is not counted; wall time is printed as a
  `#` detail line by `task_bench`.
- Every sample runs in a **fresh process** (the binary re-executes itself), so no sample
  inherits another's heap state; each process first runs the same workload once unmeasured
  (warm-up), then the measured run. Samples of the sides alternate in order.
  Cold numbers (no warm-up: first-touch page faults included) are in their own table.
- Memory: N tasks parked at once, measured from a fresh process: RSS growth (`VmRSS`), heap in
  use (glibc `mallinfo2`), and in the allocation-counting build (`-DBENCH_COUNT_ALLOCS`,
  `bench/alloc_count.hpp`: malloc/aligned_alloc/... interposed) live bytes and allocation counts.

What is compared:

| figure | taskio | plain Asio |
|---|---|---|
| create + await | `auto t = create_task(child(i)); co_await t.async_wait();` | `co_await co_spawn(ex, child(i), use_awaitable)` |
| spawn + join (done callbacks) | `create_task(child(i)).add_done_callback(count)`; main awaits a `taskio::future<void>` set by the last | `co_spawn(ex, child(i), count)` (completion handler), main waits on a steady_timer latch |
| spawn + join (await each) | create all, then `co_await t.async_wait()` on each in turn | (same baseline) |
| spawn + join (kernel node) | a `detail::completion_node` counter per task (no std::function, no extra post): what the kernel costs without the public done-callback | (same baseline) |
| suspended task | `create_task(sleeper)`, sleeper: `co_await taskio::sleep(1h)` | `co_spawn(ex, sleeper, detached)`, sleeper: `steady_timer t(ex, 1h); co_await t.async_wait(use_awaitable)` |
| cancel | `t.cancel()` on each parked task; done callbacks (registered before the window) count; until the last is done | `cancellation_signal::emit(terminal)` on each; each coroutine ends by an `operation_aborted` exception; until the last completion handler ran |

`child(i)` is `asio::awaitable<int> child(int i) {{ co_return i; }}` on both sides. Note that
`co_spawn` starts the child inline (on its own thread) while `create_task` only schedules it
(asyncio semantics), and that Asio runs its reactor (`epoll_wait(0)`) whenever its handler queue
drains only if some I/O object or timer exists: taskio's loop always has one (its timer), the
plain `create_await` baseline has none, hence the second create + await row.

## Results (warm)

{table(figs, ROWS)}

## Results (cold: no warm-up run)

{table(figs, cold_rows, "_cold") if any(k.endswith("_cold") for k in figs) else "(not run)"}

## Noise

The machine is shared with other engineers' builds and tests (see the load averages above):
CPU time is robust to being descheduled but not to cache and memory-bandwidth interference from
the other core. Back-to-back full runs under a load of 6-9 differed by up to ~25% on single
taskio rows (less on ratios of the same run), so treat differences under ~15% as noise unless
they repeat. `task_bench --verbose` prints every sample; `REPS=9` narrows the medians.

## Raw lines

```
""" + "\n".join(open(p).read().rstrip() for p in a.raw) + """
```

"""]
    with open(a.out, "w") as f:
        f.write("".join(parts))
        f.write(kept)


if __name__ == "__main__":
    main()
