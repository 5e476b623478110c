#!/usr/bin/env python3
"""summarize.py: task_bench output -> doc/benchmarks.md (+ the plot's data).

usage: summarize.py --env ENV --out DOC [--plot-data DAT] RAW [RAW...]

RAW files hold task_bench's lines (`name=<id> value=<v> unit=<u> [ratio_vs=<id>
ratio=<x>] n=<N> reps=<R> min=<> max=<>`; lines starting with '#' are
details). ENV holds `key=value` lines about the machine and the run. The
generated part of DOC is rewritten; an "## Echo server" section found in it
(measured by bench/echo runs, not by task_bench) and everything from the KEEP
marker on (the hand-written sections) are carried over from the existing DOC.
DAT gets one line per target row for bench/plot.gp: index, label, ratio,
target, met (1/0).
"""
import argparse
import os
import re

KEEP = "<!-- everything below this line is hand-written: bench/run.sh keeps it -->"
ECHO_HEADING = "## Echo server"

# A row: (label, taskio id, baseline id, target, extra check, short label for the plot).
# baseline id None: the baseline task_bench chose (the taskio line's ratio_vs:
# the faster of several plain-Asio equivalents). target: the ratio must be <=
# it. extra: (text, limit): the taskio value must also be < limit.
ROWS = [
    ("create a task + await it, sequential", "taskio_create_await", "asio_create_await", 1.10, None,
     "create+await"),
    ("(same, Asio baseline with its reactor running)", "taskio_create_await", "asio_create_await_reactor", None,
     None, None),
    ("create + await of a task that completes at once, eager start", "taskio_eager", "asio_eager", None, None,
     None),
    ("(same, lazy: the first step scheduled)", "taskio_eager_lazy", "asio_eager", None, None, None),
    ("(eager / lazy, same run)", "taskio_eager_vs_lazy", "", None, None, None),
    ("resumption: a coroutine resuming from `co_await asio::post(use_awaitable)`", "taskio_resume_1m",
     "asio_resume_1m", 1.05, None, "resumption"),
    ("(the step hook's price per resumption: taskio - Asio)", "taskio_resume_step_hook_1m", "", None, None, None),
    ("context switching: the same with a context variable set in the task, read per step", "taskio_context_switch_1m",
     "asio_context_switch_1m", 1.2, None, "context switching"),
    ("(same, against the task without a variable)", "taskio_context_switch_1m", "taskio_context_switch_unset_1m",
     None, None, None),
    ("(set + reset of the variable around each await)", "taskio_context_set_each_1m", "asio_context_switch_1m",
     None, None, None),
    ("lock, uncontended acquire + release", "taskio_lock_uncontended_1m", None, 1.2, None, "lock uncontended"),
    ("lock handed over between 2 tasks (acquire, yield, release)", "taskio_lock_handoff_100k", None, 1.2, None,
     "lock handoff"),
    ("semaphore, 16 tasks on 4 slots (acquire, yield, release)", "taskio_semaphore_100k", None, 1.2, None,
     "semaphore"),
    ("queue ping-pong between 2 tasks, per round trip", "taskio_queue_pingpong_100k", None, 1.2, None,
     "queue ping-pong"),
    ("spawn 1M tasks + join all (task_group)", "taskio_spawn_join_group_1m", None, 1.10, None, "spawn+join 1M"),
    ("spawn 1M tasks + join all (await each)", "taskio_spawn_join_await_1m", None, 1.10, None,
     "spawn+join 1M (await)"),
    ("spawn 1M tasks + join all (done callbacks)", "taskio_spawn_join_1m", None, None, None,
     "spawn+join 1M (callbacks)"),
    ("spawn 100k tasks + join all (task_group)", "taskio_spawn_join_group_100k", None, None, None, None),
    ("spawn 100k tasks + join all (done callbacks)", "taskio_spawn_join_100k", None, None, None, None),
    ("spawn 100k tasks + join all (await each)", "taskio_spawn_join_await_100k", None, None, None, None),
    ("spawn 100k tasks + join all (kernel node)", "taskio_spawn_join_node_100k", None, None, None, None),
    ("memory per suspended task, RSS growth", "taskio_mem_rss", None, 1.15, ("< asyncio 1,520 B", 1520),
     "memory/task (RSS)"),
    ("memory per suspended task, heap in use (mallinfo2)", "taskio_mem_heap", None, 1.15, None,
     "memory/task (heap)"),
    ("memory per suspended task, live heap bytes (counted)", "taskio_mem_heap_live", None, None, None, None),
    ("allocations per suspended task", "taskio_mem_allocs", None, None, None, None),
    ("cancel 100k sleeping tasks until all done (done callbacks)", "taskio_cancel_100k", None, 1.2, None,
     "cancel 100k"),
    ("gather 100k ready tasks", "taskio_gather_ready_100k", None, 1.2, None, "gather 100k ready"),
    ("gather 100k tasks sleeping 10 ms", "taskio_gather_sleep_100k", None, 1.2, None, "gather 100k sleeping"),
    ("task_group, 100k ready children", "taskio_task_group_ready_100k", None, 1.2, None, "task_group 100k"),
    ("task_group, 100k children sleeping 10 ms", "taskio_task_group_sleep_100k", None, 1.2, None,
     "task_group 100k sleeping"),
    ("timeout scopes: per-task cost at 10^6 / at 10^4 (scaling)", "taskio_timeouts_scaling", None, 1.5, None,
     "1M timeouts scaling"),
    ("(same, plain Asio watchdog timers: its own scaling)", "asio_timeouts_scaling", None, None, None, None),
    ("10^4 timeout scopes: create, park, cancel, per task", "taskio_timeouts_10k", None, None, None, None),
    ("10^6 timeout scopes: create, park, cancel, per task", "taskio_timeouts_1m", "asio_timeouts_1m", None, None,
     None),
    ("memory per parked task at 10^6 timeouts, heap in use", "taskio_timeouts_1m_parked_heap",
     "asio_timeouts_1m_parked_heap", None, None, None),
    ("memory per parked task at 10^6 timeouts, RSS growth", "taskio_timeouts_1m_parked_rss",
     "asio_timeouts_1m_parked_rss", None, None, None),
    ("allocations per create + await", "taskio_create_await_allocs", None, None, None, None),
    ("allocations per eager create + await", "taskio_eager_allocs", None, None, None, None),
    ("allocations per resumption", "taskio_resume_allocs", None, None, None, None),
    ("allocations per lock handoff", "taskio_lock_handoff_allocs", None, None, None, None),
    ("allocations per queue round trip", "taskio_queue_pingpong_allocs", None, None, None, None),
    ("allocations per spawned + joined task (task_group)", "taskio_spawn_join_group_allocs", None, None, None,
     None),
    ("allocations per spawned + joined task (done callbacks)", "taskio_spawn_join_allocs", None, None, None, None),
    ("allocations per spawned + joined task (await each)", "taskio_spawn_join_await_allocs", None, None, None,
     None),
    ("allocations per spawned + joined task (kernel node)", "taskio_spawn_join_node_allocs", None, None, None,
     None),
    ("allocations per cancelled task (done callbacks)", "taskio_cancel_allocs", None, None, None, None),
    ("allocations per gathered ready task", "taskio_gather_ready_allocs", None, None, None, None),
    ("allocations per gathered sleeping task", "taskio_gather_sleep_allocs", None, None, None, None),
    ("allocations per task_group child (ready)", "taskio_task_group_ready_allocs", None, None, None, None),
    ("allocations per task_group child (sleeping)", "taskio_task_group_sleep_allocs", None, None, None, None),
    ("allocations per timeout-scoped task, whole life", "taskio_timeouts_allocs", None, None, None, None),
    ("allocations per timeout-scoped task, parked", "taskio_timeouts_parked_allocs", None, None, None, None),
    ("live heap bytes per parked timeout-scoped task (counted)", "taskio_timeouts_parked_live", None, None, None,
     None),
]

# Rows without a target shown in the targets table too (what the issue asks to report beside them).
TARGET_TABLE_EXTRAS = {"taskio_mem_heap_live", "taskio_mem_allocs", "taskio_timeouts_1m_parked_heap",
                       "taskio_timeouts_1m_parked_rss"}

# Targets of the performance issue measured elsewhere: (label, target, where).
ELSEWHERE = [
    ("echo server: CPU per request vs plain Asio coroutines", "<= 1.05x", "bench/echo_bench.sh"),
    ("echo server: requests/s vs plain Asio coroutines", ">= 0.97x", "bench/echo_bench.sh"),
    ("echo server: CPU per request vs uvloop streams", "<= 0.65x", "bench/echo_bench.sh"),
]


SIZE_TAGS = {"_1m": "_100k", "_100k": "_10k", "_10k": "_1k"}


def quick_ids(rows):
    """The rows of a --quick run (task_bench --quick divides every N by 10)."""
    def down(i):
        return re.sub(r"_(1m|100k|10k)(?=_|$)", lambda m: SIZE_TAGS["_" + m.group(1)], i)
    return [(label + " (N / 10)" if re.search(r"_(1m|100k|10k)(_|$)", t) else label, down(t),
             down(a) if a else a, *rest) for label, t, a, *rest in rows]


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
    if unit in ("allocs/task", "x"):
        return f"{v:.2f}"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.1f}"


def spread(f):
    if int(f.get("reps", "1")) < 2:
        return ""
    return f" ({fmt(float(f['min']), f['unit'])}-{fmt(float(f['max']), f['unit'])})"


def baseline_label(a_id, t_id):
    """How the baseline differs from the taskio figure's obvious one, if it does."""
    if a_id.startswith("taskio_"):
        return f" `{a_id}`"
    names = {"_pg": "parallel_group", "_counter": "counter", "_channel": "channel", "_waitq": "waiter queue"}
    for tag, name in names.items():
        if tag + "_" in a_id + "_":
            return f" ({name})"
    return ""


def evaluate(figs, row, suffix=""):
    """(t, a, a_id, ratio, verdict) of a row, or None when not measured."""
    label, t_id, a_id, target, extra, _ = row
    t = figs.get(t_id + suffix)
    if not t:
        return None
    if a_id == "":  # derived (the step hook's price, eager / lazy): the value alone
        return t, None, "", None, ""
    a_id = (a_id + suffix) if a_id else t.get("ratio_vs")
    a = figs.get(a_id) if a_id else None
    if not a:
        return None
    ratio = t["value"] / a["value"] if a["value"] else float("inf")
    verdict = ""
    if target is not None:
        misses = []
        if ratio > target:
            misses.append(f"misses by {ratio - target:.2f}")
        if extra and not t["value"] < extra[1]:
            misses.append(f"misses: {fmt(t['value'], t['unit'])} B is not {extra[0]}")
        verdict = "; ".join(misses) if misses else "met"
    return t, a, a_id, ratio, verdict


def table(figs, rows, suffix="", with_elsewhere=False):
    out = ["| figure | unit | taskio | baseline (plain Asio) | ratio | target | met |",
           "|---|---|---|---|---|---|---|"]
    for row in rows:
        r = evaluate(figs, row, suffix)
        if not r:
            if row[3] is not None and not suffix:
                tgt = f"<= {row[3]:.2f}x"
                out.append(f"| {row[0]} | | not measured | | | {tgt} | not measured |")
            continue
        t, a, a_id, ratio, verdict = r
        label, target, extra = row[0], row[3], row[4]
        if a is None:
            out.append(f"| {label} | {t['unit']} | {fmt(t['value'], t['unit'])} | | | | |")
            continue
        tgt = ""
        if target is not None:
            tgt = f"<= {target:.2f}x" + (f" and {extra[0]}" if extra else "")
        met = verdict if verdict in ("met", "") else f"**{verdict}**"
        out.append(f"| {label} | {t['unit']} | {fmt(t['value'], t['unit'])}{spread(t)} | "
                   f"{fmt(a['value'], a['unit'])}{spread(a)}{baseline_label(a_id, row[1])} | {ratio:.2f} | "
                   f"{tgt} | {met} |")
    if with_elsewhere:
        for label, target, where in ELSEWHERE:
            out.append(f"| {label} | | measured by `{where}` | | | {target} | see the Echo server section |")
    return "\n".join(out)


def plot_data(figs, path):
    with open(path, "w") as f:
        f.write("# index label ratio target met\n")
        i = 0
        for row in ROWS:
            if row[3] is None or not row[5]:
                continue
            r = evaluate(figs, row)
            if not r:
                continue
            f.write(f'{i} "{row[5]}" {r[3]:.4f} {row[3]:.2f} {1 if r[4] == "met" else 0}\n')
            i += 1


def read_env(path):
    env = {}
    if path and os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def carried_over(doc):
    """(echo section found in the generated part or "", kept tail)."""
    if not os.path.exists(doc):
        return "", KEEP + "\n"
    text = open(doc).read()
    i = text.find(KEEP)
    generated, kept = (text[:i], text[i:]) if i >= 0 else (text, KEEP + "\n")
    echo = ""
    m = re.search(r"^" + re.escape(ECHO_HEADING) + r".*?(?=^## |\Z)", generated, re.M | re.S)
    if m:
        echo = m.group(0).rstrip() + "\n\n"
    return echo, kept


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env")
    ap.add_argument("--out", required=True)
    ap.add_argument("--plot-data")
    ap.add_argument("--plot-image", help="the PNG's path relative to DOC, referenced from it")
    ap.add_argument("--quick", action="store_true", help="the lines come from task_bench --quick")
    ap.add_argument("raw", nargs="+")
    a = ap.parse_args()
    global ROWS
    if a.quick:
        ROWS = quick_ids(ROWS)
    figs = parse(a.raw)
    env = read_env(a.env)
    echo, kept = carried_over(a.out)  # before the file is rewritten
    cold_rows = ROWS  # rows without a "_cold" figure are left out
    target_rows = [r for r in ROWS if r[3] is not None or r[1] in TARGET_TABLE_EXTRAS]
    if a.plot_data:
        plot_data(figs, a.plot_data)
    plot = f"\n![ratio taskio / plain Asio by figure]({a.plot_image})\n" if a.plot_image else ""

    parts = [f"""# taskio benchmarks

Generated by `bench/run.sh` on {env.get('date', '?')} from `bench/task_bench.cpp` + `bench/task_bench/` (taskio at
{env.get('revision', '?')}): every taskio figure beside its plain-Asio equivalent, measured in the
same run. Medians of {env.get('reps', '?')} samples per side (min-max in parentheses; cold table:
{env.get('cold_reps', '?')}; 10^6 timeouts: taskio 3, Asio 1); ratio = taskio / baseline (lower is
better for taskio). The run took {env.get('seconds', '?')} s of wall time for {env.get('cpu_seconds', '?')} s
of CPU time (the rest: waiting for the shared core).

## How to run

```sh
bench/all.sh              # everything: run.sh then echo_bench.sh (~9 min), both write this page
bench/run.sh              # task micro-benchmarks: builds both binaries; ~2-3 min on 2 cores
QUICK=1 bench/run.sh      # smoke run, a few minutes (N / 10, 3 samples; writes $BUILD_DIR/benchmarks-quick.md)
REPS=7 CPU=0 bench/run.sh # more samples, another core
# one figure by hand (after a run, binaries are in $BUILD_DIR, default /tmp/taskio-bench-$USER):
taskset -c 1 /tmp/taskio-bench-$USER/task_bench --only spawn_join_1m --verbose
```

## Targets (performance issue)

"misses by X": the ratio exceeds the target by X. The baseline is plain Asio measured in the
same run, except for the timeout scaling (taskio at 10^6 over taskio at 10^4). Where several
plain-Asio equivalents exist (gather, task_group), `task_bench` measures both and the faster one
is the baseline (named in the cell).
{plot}
{table(figs, target_rows, with_elsewhere=True)}

## Machine and method

- {env.get('cpus', '?')} CPUs, `{env.get('model', '?')}`, Linux {env.get('kernel', '?')}, {env.get('mem', '?')} RAM;
  `{env.get('cxx', '?')}`, Boost {env.get('boost', '?')}; flags `{env.get('flags', '?')}`.
- Pinned to CPU {env.get('cpu', '?')} (`taskset`). Load average before / after the run:
  {env.get('load_before', '?')} / {env.get('load_after', '?')} (the machine is shared: see "Noise" below).
- One thread, one `asio::io_context(1)` per sample on both sides. taskio runs inside
  `taskio::run(main)` (which creates exactly that io_context); Asio runs inside a coroutine
  co_spawned on a fresh `io_context(1)`. Only the measured window is timed, never loop
  set-up or shutdown. Everything runs on the real clock (no virtual time).
- Times are the thread's **CPU time** (`CLOCK_THREAD_CPUTIME_ID`, user + system) per operation,
  so time during which other processes held the core is not counted, nor time the loop spends
  blocked waiting for a timer; wall time is printed as a `#` detail line by `task_bench`.
- Every sample runs in a **fresh process** (the binary re-executes itself), so no sample
  inherits another's heap state; each process first runs the same workload once unmeasured
  (warm-up), then the measured run. Samples of the sides alternate in order.
  Cold numbers (no warm-up: first-touch page faults included) are in their own table. The
  timeout figures are always measured that way (a sample at 10^6 takes ~10 s; page faults per
  task are the same at both N), in the warm run only; spawn + join at 1M too (warm only, the
  variants at 100k only).
- Memory: N tasks parked at once, measured from a fresh process: RSS growth (`VmRSS`), heap in
  use (glibc `mallinfo2`), and in the allocation-counting build (`-DBENCH_COUNT_ALLOCS`,
  `bench/alloc_count.hpp`: malloc/aligned_alloc/... interposed) live bytes and allocation counts.
  For the timeouts the heap is read inside the window once every task is parked (that read is
  not timed).

What is compared:

| figure | taskio | plain Asio |
|---|---|---|
| create + await | `auto t = create_task(child(i)); co_await t.async_wait();` | `co_await co_spawn(ex, child(i), use_awaitable)` |
| eager create + await | `create_task(child(i), {{.eager_start = true}})` (the first step runs inside create_task), then `co_await t.async_wait()`; lazy: `.eager_start = false` | `co_await co_spawn(ex, child(i), use_awaitable)` |
| resumption | the main task, N x `co_await asio::post(use_awaitable)` (each resumption through the task's executor and step hook); the hook's price = the difference of the medians | a co_spawned coroutine doing the same |
| context switching | the same task after `request_id.set(42)` (a `context_var<int>`), reading `request_id.get()` after each resumption: every step switches to the task's non-empty context; compared also with the same task without the set, and with `set` + `reset` around each await | the request kept in the coroutine's frame, published in a thread-local pointer around each resumption (saved, set, read, restored) |
| lock, uncontended | N x (`co_await l.acquire(); l.release();`) on a free `taskio::lock` | the faster of: (channel) a `channel<void(error_code)>` of capacity 1 holding one token (acquire = `async_receive`, release = `try_send`); (waiter queue) a hand-written counter + FIFO of `any_completion_handler`s, release posts the first waiter's handler |
| lock handoff / semaphore | 2 tasks on a `taskio::lock` / 16 tasks on a `taskio::semaphore(4)`, each N/tasks x (acquire; `co_await asio::post(use_awaitable)`; release) | the same two equivalents with 1 / 4 slots, co_spawned coroutines |
| queue ping-pong | an int round trip between two tasks over two `taskio::queue<int>` (put; get) | two `experimental::channel<void(error_code, int)>` of capacity 1 |
| spawn + join (task_group) | `async_with(task_group{{}}, ...)` whose body calls `tg.create_task(child(i))` N times; the sum read from the handles after the group exited | (same baseline) |
| spawn + join (done callbacks) | `create_task(child(i)).add_done_callback(count)`; main awaits a `taskio::future<void>` set by the last | `co_spawn(ex, child(i), count)` (completion handler), main waits on a steady_timer latch |
| spawn + join (await each) | create all, then `co_await t.async_wait()` on each in turn | (same baseline) |
| spawn + join (kernel node) | a `detail::completion_node` counter per task (no std::function, no extra post): what the kernel costs without the public done-callback | (same baseline) |
| suspended task | `create_task(sleeper)`, sleeper: `co_await taskio::sleep(1h)` | `co_spawn(ex, sleeper, detached)`, sleeper: `steady_timer t(ex, 1h); co_await t.async_wait(use_awaitable)` |
| cancel | `t.cancel()` on each parked task; done callbacks (registered before the window) count; until the last is done | `cancellation_signal::emit(terminal)` on each; each coroutine ends by an `operation_aborted` exception; until the last completion handler ran |
| gather | `co_await taskio::gather(std::move(v))`, `v`: a `std::vector<awaitable<int>>` of N children, then sum the results | the faster of: (parallel_group) `experimental::make_parallel_group(ops).async_wait(wait_for_all(), use_awaitable)` over a vector of N `co_spawn(ex, child(i), deferred)`; (counter) N `co_spawn(ex, child(i), handler)`, the handler stores the result in a vector and counts, main waits on a latch |
| task_group | `async_with(task_group{{}}, ...)` creating N children with `tg.create_task` (handles kept in a vector), then sum `t.result()` | (same baselines as gather) |
| ready / sleeping children | `child(i)`: `co_return i`; sleeping: `co_await taskio::sleep(10ms); co_return i;` | `co_return i`; sleeping: `steady_timer t(ex, 10ms); co_await t.async_wait(use_awaitable); co_return i;` |
| timeouts | N tasks each `co_await taskio::timeout(1h, taskio::sleep(10min))` (a timeout scope around the sleep), all parked, then `t.cancel()` on each; a kernel completion_node counts them; timed from the first creation to the last completion; at N = 10^4 and 10^6 | context: N co_spawned coroutines, each with its own 10 min `steady_timer` and a 1 h watchdog `steady_timer` whose handler cancels it, cancelled by `cancellation_signal::emit` |

`child(i)` is `asio::awaitable<int> child(int i) {{ co_return i; }}` on both sides. Note that
`co_spawn` starts the child inline (on its own thread) while `create_task` only schedules it
(asyncio semantics), and that Asio runs its reactor (`epoll_wait(0)`) whenever its handler queue
drains only if some I/O object or timer exists (taskio's loop creates its timer lazily, at the
first sleep or timeout); hence the second create + await row.

## All results (warm)

{table(figs, ROWS)}

## Results (cold: no warm-up run)

{table(figs, cold_rows, "_cold") if any(k.endswith("_cold") for k in figs) else "(not run)"}

## Noise

The machine is shared with other engineers' builds and tests (see the load averages above):
CPU time is robust to being descheduled but not to cache and memory-bandwidth interference from
the other core. Back-to-back full runs under a load of 6-9 differed by up to ~25% on single
taskio rows (less on ratios of the same run), so treat differences under ~15% as noise unless
they repeat. `task_bench --verbose` prints every sample; `REPS=9` narrows the medians.

{echo}## Raw lines

```
""" + "\n".join(open(p).read().rstrip() for p in a.raw) + """
```

"""]
    with open(a.out, "w") as f:
        f.write("".join(parts))
        f.write(kept)


if __name__ == "__main__":
    main()
