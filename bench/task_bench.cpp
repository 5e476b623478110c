//
// bench/task_bench.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio's task micro-benchmarks, each beside its plain-Asio equivalent in
// the same run. One thread, one `asio::io_context(1)` per sample on both
// sides: the taskio side runs inside `taskio::run(main)` (which creates
// exactly such an io_context), the Asio side inside a coroutine co_spawned on
// a fresh `io_context(1)`. Only the measured window is timed (thread CPU
// time; wall time as a detail), never the loop's set-up or shutdown.
//
// Every sample runs in a fresh child process (this executable re-executed
// with `--sample KEY N`), which first runs the same workload once unmeasured
// (warm-up; `--cold` skips it), so no sample inherits the heap state left by
// another. Samples of the sides alternate in order; the median is reported.
//
//   create_await   create one task and await it, N times
//   spawn_join     create N trivial tasks, then wait until all finished
//   mem            memory per parked task
//   cancel         cancel N parked tasks, until all are done
//   group_ready    N trivial children joined by gather / a task_group
//   group_sleep    the same with children sleeping 10 ms
//   eager          create_await of a task that completes at once: eager, lazy
//   resume         one coroutine resuming N times from asio::post; the step hook's price
//   context_switch the same with a context variable set (and read) in the task
//   lock_uncontended, lock_handoff, semaphore, queue_pingpong
//                  the primitives beside hand-written Asio equivalents
//   timeouts       N sleeps inside timeout scopes, all cancelled; scaling
// (each file in task_bench/ says exactly what both sides do).
//
// Output: one machine-readable line per figure,
//   name=<id> value=<number> unit=<unit> [ratio_vs=<baseline id> ratio=<x>] n=<N> reps=<R> min=<> max=<>
// plus '#'-prefixed detail lines. Built with -DBENCH_COUNT_ALLOCS the
// executable counts C-heap allocations (see alloc_count.hpp) and reports
// allocations (and live heap bytes) per task instead of times. Built with
// -DBENCH_CALLGRIND, callgrind (--collect-atstart=no) sees only the windows.
//
// Files: this one is the command line and the order of the figures;
// task_bench/harness.hpp(.cpp) the measurement, the sample processes and the
// output lines; task_bench/<figure>.cpp one figure each (its sides and
// sizes): create_await, eager, resume, context_switch, spawn_join, mem,
// cancel, groups (group_ready, group_sleep), primitives (lock_uncontended,
// lock_handoff, semaphore, queue_pingpong), timeouts.
//
// usage: task_bench [--quick] [--reps R] [--scale X] [--only SUBSTR] [--cold] [--verbose]
//        task_bench --sample KEY N [--warmup]     (one sample; used internally)

#include "task_bench/harness.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace bench {
extern const figure_def create_await, eager, resume, context_switch, spawn_join, mem, cancel, groups, primitives,
    timeouts;
}  // namespace bench

namespace {

/// Every figure, in output order.
const std::vector<const bench::figure_def*> figures{
    &bench::create_await, &bench::eager,  &bench::resume,     &bench::context_switch, &bench::spawn_join,
    &bench::mem,          &bench::cancel, &bench::groups,     &bench::primitives,     &bench::timeouts};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: task_bench [--quick] [--reps R] [--scale X] [--only SUBSTR] [--cold] [--verbose]\n"
               "  --quick    smoke run: N / 10, 3 reps\n"
               "  --reps R   samples per figure and side (default 5; 1 in the allocation-counting build)\n"
               "  --scale X  multiply every N by X (names carry the N used: spawn_join_100k, ...)\n"
               "  --only S   run only the figures whose id or side contains S (create_await, spawn_join_1m,\n"
               "             mem, cancel, group_ready, gather, task_group, eager, resume, context_switch,\n"
               "             lock, semaphore, queue, timeouts, ...)\n"
               "  --cold     no warm-up run in the sample process (names get '_cold')\n"
               "  --verbose  also print every sample ('# sample ...')\n");
  std::exit(64);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::strcmp(argv[1], "--sample") == 0)
    bench::run_sample(figures, argv[2], std::strtoull(argv[3], nullptr, 10),
                      argc > 4 && std::strcmp(argv[4], "--warmup") == 0);

  bench::options o;
  if (bench::counting_allocs) o.reps = 1;  // allocation counts are deterministic
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      o.scale = 0.1;
      o.reps = std::min(o.reps, 3);
    } else if (a == "--reps" && i + 1 < argc) {
      o.reps = std::atoi(argv[++i]);
    } else if (a == "--scale" && i + 1 < argc) {
      o.scale = std::atof(argv[++i]);
    } else if (a == "--only" && i + 1 < argc) {
      o.only = argv[++i];
    } else if (a == "--cold") {
      o.cold = true;
    } else if (a == "--verbose") {
      o.verbose = true;
    } else {
      usage();
    }
  }
  if (o.reps < 1 || !(o.scale > 0)) usage();

  std::printf("# task_bench build=%s reps=%d scale=%g\n", bench::counting_allocs ? "allocs" : "plain", o.reps,
              o.scale);
  for (const bench::figure_def* f : figures) f->run(o);
  return 0;
}
