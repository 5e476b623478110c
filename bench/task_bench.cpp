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
//   create_await   N times: create one task running a trivial awaitable<int>
//                  and await it (taskio: create_task + co_await t.async_wait();
//                  Asio: co_await co_spawn(ex, child(), use_awaitable); also
//                  with an idle steady_timer on the io_context, `_reactor`,
//                  because Asio then polls epoll whenever its queue drains,
//                  as it always does under taskio, whose loop owns a timer).
//   spawn_join     create N trivial tasks, then wait until all finished.
//                  taskio: create_task + add_done_callback counting, main
//                  waits on a taskio::future (headline, public API); variants:
//                  awaiting each task in turn (`_await`), and a kernel
//                  completion_node counter (`_node`: no std::function, no
//                  extra post; shows what the public done-callback costs).
//                  Asio: co_spawn with a counting completion handler.
//   mem            N tasks parked in taskio::sleep(1h) vs N co_spawned
//                  coroutines parked on their own steady_timer (1 h): RSS
//                  growth and heap in use (mallinfo2) per task, always from a
//                  fresh process (no warm-up).
//   cancel         N parked tasks as above, all cancelled at once, timed until
//                  every task is done. taskio: t.cancel() on each, done
//                  callbacks count (registered before the window; `_node`:
//                  completion_node counter). Asio: cancellation_signal::emit
//                  (terminal) on each; the timer wait uses use_awaitable, so
//                  each coroutine ends with an operation_aborted exception.
//   group_ready    N trivial children joined as a group. taskio: gather over
//                  a vector of N awaitables (`taskio_gather`), and a
//                  task_group creating N children, then reading every
//                  result (`taskio_task_group`). Asio, two hand-written
//                  equivalents, the faster of which is the baseline: a ranged
//                  experimental::make_parallel_group over N
//                  co_spawn(ex, child, deferred), wait_for_all (`_pg`), and
//                  N co_spawns with a handler storing each result and
//                  counting (`_counter`).
//   group_sleep    the same with children that first sleep 10 ms on the real
//                  clock (taskio::sleep vs a steady_timer of their own).
//   timeouts       N tasks each awaiting sleep(10 min) inside a timeout(1 h)
//                  scope, all parked at once, then all cancelled; timed from
//                  the first creation to the last completion (kernel
//                  completion_node counter). Run at two N: the figure is the
//                  per-task cost at the larger N over the one at the smaller
//                  (`taskio_timeouts_scaling`), plus the heap per task while
//                  all are parked (`_parked_heap`, `_parked_rss`). Always
//                  measured without warm-up. Asio context: a coroutine
//                  with its own steady_timer (10 min) and a watchdog
//                  steady_timer (1 h) whose handler cancels it; cancelled by
//                  cancellation_signal::emit.
//
// Output: one machine-readable line per figure,
//   name=<id> value=<number> unit=<unit> [ratio_vs=<baseline id> ratio=<x>] n=<N> reps=<R> min=<> max=<>
// plus '#'-prefixed detail lines. Built with -DBENCH_COUNT_ALLOCS the
// executable counts C-heap allocations (see alloc_count.hpp) and reports
// allocations (and live heap bytes) per task instead of times. Built with
// -DBENCH_CALLGRIND, callgrind (--collect-atstart=no) sees only the windows.
//
// usage: task_bench [--quick] [--reps R] [--scale X] [--only SUBSTR] [--cold] [--verbose]
//        task_bench --sample KEY N [--warmup]     (one sample; used internally)

#include "alloc_count.hpp"

#include <taskio.hpp>

#include <boost/asio.hpp>

#include <boost/asio/experimental/parallel_group.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#ifdef BENCH_CALLGRIND  // profile only the measured windows:
#include <valgrind/callgrind.h>  // valgrind --tool=callgrind --collect-atstart=no
#define BENCH_TOGGLE_COLLECT() CALLGRIND_TOGGLE_COLLECT
#else
#define BENCH_TOGGLE_COLLECT() ((void)0)
#endif

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

namespace asio = boost::asio;
using clk = std::chrono::steady_clock;

namespace {

// ---------------------------------------------------------------------------
// measurement plumbing

/// One repetition of one side of a figure.
struct sample {
  double ns_per_op = 0;       // thread CPU time per op
  double wall_ns_per_op = 0;  // wall-clock time per op
  double faults_per_op = 0;   // minor page faults per op
  bench::alloc_delta heap;    // per op
  double rss_per_op = 0;      // RSS growth per op (mem only)
  bench::alloc_delta parked;  // per op, while every task is parked (timeouts only)
  double parked_rss = 0;      // RSS growth per op at the same moment
};

/// CPU time of this thread (user + system), ns. Unlike wall time it does not
/// count time during which other processes had the core.
double thread_cpu_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

long minor_faults() {
  rusage ru{};
  ::getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_minflt;
}

/// The measured window of one repetition.
struct window {
  std::size_t n;
  sample* out;
  clk::time_point t0{};
  double cpu0 = 0;
  long faults0 = 0;
  bench::alloc_snapshot a0{};
  double excluded_cpu = 0;
  double excluded_wall = 0;

  void start() {
    a0 = bench::allocs_now();
    faults0 = minor_faults();
    t0 = clk::now();
    cpu0 = thread_cpu_ns();
    BENCH_TOGGLE_COLLECT();
  }
  void stop() {
    BENCH_TOGGLE_COLLECT();
    const double cpu1 = thread_cpu_ns();
    const auto t1 = clk::now();
    const double dn = static_cast<double>(n);
    out->faults_per_op = static_cast<double>(minor_faults() - faults0) / dn;
    out->heap = bench::per_op(a0, bench::allocs_now(), n);
    out->ns_per_op = (cpu1 - cpu0 - excluded_cpu) / dn;
    out->wall_ns_per_op = (std::chrono::duration<double, std::nano>(t1 - t0).count() - excluded_wall) / dn;
  }
  /// Runs `f` (a measurement) inside the window without timing it.
  template <class F>
  void exclude(F f) {
    BENCH_TOGGLE_COLLECT();
    const auto w0 = clk::now();
    const double c0 = thread_cpu_ns();
    f();
    excluded_cpu += thread_cpu_ns() - c0;
    excluded_wall += std::chrono::duration<double, std::nano>(clk::now() - w0).count();
    BENCH_TOGGLE_COLLECT();
  }
};

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "task_bench: %s\n", what);
  std::exit(2);
}

void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

/// A sample process's only output line; then it leaves at once (parked
/// tasks are not torn down).
[[noreturn]] void report_and_exit(const sample& s) {
  std::printf("sample cpu=%.3f wall=%.3f faults=%.4f allocs=%.4f live=%.2f in_use=%.2f rss=%.2f p_allocs=%.4f "
              "p_live=%.2f p_in_use=%.2f p_rss=%.2f\n",
              s.ns_per_op, s.wall_ns_per_op, s.faults_per_op, s.heap.allocs, s.heap.live, s.heap.in_use, s.rss_per_op,
              s.parked.allocs, s.parked.live, s.parked.in_use, s.parked_rss);
  std::fflush(stdout);
  std::_Exit(0);
}

long long triangle(std::size_t n) { return static_cast<long long>(n) * static_cast<long long>(n - 1) / 2; }

long long rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string key;
  while (f >> key) {
    if (key == "VmRSS:") {
      long long kb = 0;
      f >> kb;
      return kb * 1024;
    }
    f.ignore(1 << 12, '\n');
  }
  return -1;
}

/// Runs `main` (a coroutine function taking (n, sample&)) on a fresh
/// io_context(1), co_spawned: the plain-Asio side.
///
/// `with_reactor` adds an idle steady_timer, which starts Asio's reactor: the
/// scheduler then calls epoll_wait(0) each time the reactor's marker reaches
/// the front of its handler queue, i.e. about once per handler when few are
/// queued. That is the case in any program with a timer or socket, and
/// always under taskio, whose loop service owns a steady_timer.
template <class Main>
sample on_asio(Main main, std::size_t n, bool with_reactor = false) {
  asio::io_context io(1);
  std::optional<asio::steady_timer> idle;
  if (with_reactor) idle.emplace(io);
  sample s;
  asio::co_spawn(io, main(n, s), asio::detached);
  io.run();
  return s;
}

/// Runs `main` as taskio's main task: the taskio side.
template <class Main>
sample on_taskio(Main main, std::size_t n) {
  sample s;
  taskio::run(main(n, s));
  return s;
}

/// The trivial child task of every figure.
asio::awaitable<int> child(int i) { co_return i; }

// ---------------------------------------------------------------------------
// 1. create one task and await it, N times

asio::awaitable<void> asio_create_await(std::size_t n, sample& s) {
  auto ex = co_await asio::this_coro::executor;
  long long sum = 0;
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) sum += co_await asio::co_spawn(ex, child(static_cast<int>(i)), asio::use_awaitable);
  w.stop();
  check(sum == triangle(n), "asio_create_await: bad checksum");
}

asio::awaitable<void> taskio_create_await(std::size_t n, sample& s) {
  long long sum = 0;
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) {
    auto t = taskio::create_task(child(static_cast<int>(i)));
    sum += co_await t.async_wait();
  }
  w.stop();
  check(sum == triangle(n), "taskio_create_await: bad checksum");
}

// ---------------------------------------------------------------------------
// 2. spawn N tasks, join them all

asio::awaitable<void> asio_spawn_join(std::size_t n, sample& s) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer latch(ex, asio::steady_timer::time_point::max());
  std::size_t remaining = n;
  long long sum = 0;
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) {
    asio::co_spawn(ex, child(static_cast<int>(i)), [&](std::exception_ptr, int v) {
      sum += v;
      if (--remaining == 0) latch.cancel();
    });
  }
  if (remaining != 0) co_await latch.async_wait(asio::as_tuple(asio::use_awaitable));
  w.stop();
  check(sum == triangle(n), "asio_spawn_join: bad checksum");
}

/// Counts finished tasks; `done` is set when the last one finished.
struct join_state {
  std::size_t remaining;
  long long sum = 0;
  taskio::future<void> done{};

  void one_done(long long v) {
    sum += v;
    if (--remaining == 0) done.set_result();
  }
};

asio::awaitable<void> taskio_spawn_join(std::size_t n, sample& s) {
  join_state j{n};
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i)
    taskio::create_task(child(static_cast<int>(i))).add_done_callback([&j](const taskio::task<int>& t) {
      j.one_done(t.result());
    });
  co_await j.done.async_wait();
  w.stop();
  check(j.sum == triangle(n), "taskio_spawn_join: bad checksum");
}

asio::awaitable<void> taskio_spawn_join_await(std::size_t n, sample& s) {
  long long sum = 0;
  window w{n, &s};
  w.start();
  std::vector<taskio::task<int>> tasks;
  tasks.reserve(n);
  for (std::size_t i = 0; i < n; ++i) tasks.push_back(taskio::create_task(child(static_cast<int>(i))));
  for (auto& t : tasks) sum += co_await t.async_wait();
  w.stop();
  check(sum == triangle(n), "taskio_spawn_join_await: bad checksum");
}

/// A kernel completion node that counts (the cheapest possible observer).
struct count_node : taskio::detail::completion_node {
  join_state* j = nullptr;

  template <class T>
  static void on_fire(completion_node* n, taskio::detail::future_state_base& s) {
    auto& t = static_cast<taskio::detail::task_state<T>&>(s);
    if constexpr (std::is_void_v<T>)
      static_cast<count_node*>(n)->j->one_done(t.cancelled() ? 1 : 0);
    else
      static_cast<count_node*>(n)->j->one_done(t.value());
  }
  template <class T>
  void watch(const taskio::task<T>& t, join_state& state) {
    j = &state;
    fire = &count_node::on_fire<T>;
    t.state()->add_node(this);
  }
};

asio::awaitable<void> taskio_spawn_join_node(std::size_t n, sample& s) {
  join_state j{n};
  window w{n, &s};
  w.start();
  std::vector<count_node> nodes(n);
  for (std::size_t i = 0; i < n; ++i) nodes[i].watch(taskio::create_task(child(static_cast<int>(i))), j);
  co_await j.done.async_wait();
  w.stop();
  check(j.sum == triangle(n), "taskio_spawn_join_node: bad checksum");
}

// ---------------------------------------------------------------------------
// 3. memory per suspended task (child processes)

constexpr auto parked_for = std::chrono::hours(1);

struct park_counters {
  std::size_t suspended = 0;
  std::size_t completed = 0;
};

asio::awaitable<void> asio_sleeper(park_counters& c) {
  asio::steady_timer timer(co_await asio::this_coro::executor, parked_for);
  ++c.suspended;
  co_await timer.async_wait(asio::use_awaitable);  // cancelled: throws operation_aborted
  ++c.completed;
}

asio::awaitable<void> taskio_sleeper(park_counters& c) {
  ++c.suspended;
  co_await taskio::sleep(parked_for);  // cancelled: throws cancelled_error
  ++c.completed;
}

asio::awaitable<void> asio_mem(std::size_t n, sample& s) {
  auto ex = co_await asio::this_coro::executor;
  park_counters c;
  const long long rss0 = rss_bytes();
  const auto a0 = bench::allocs_now();
  for (std::size_t i = 0; i < n; ++i) asio::co_spawn(ex, asio_sleeper(c), asio::detached);
  co_await asio::post(ex, asio::use_awaitable);  // FIFO: every child has parked
  s.rss_per_op = static_cast<double>(rss_bytes() - rss0) / static_cast<double>(n);
  s.heap = bench::per_op(a0, bench::allocs_now(), n);
  check(c.suspended == n && c.completed == 0, "asio_mem: not every coroutine parked");
  report_and_exit(s);  // the N coroutines stay parked: no teardown
}

asio::awaitable<void> taskio_mem(std::size_t n, sample& s) {
  park_counters c;
  const long long rss0 = rss_bytes();
  const auto a0 = bench::allocs_now();
  for (std::size_t i = 0; i < n; ++i) taskio::create_task(taskio_sleeper(c));
  co_await taskio::sleep(std::chrono::seconds(0));  // FIFO: every task has taken its first step and parked
  s.rss_per_op = static_cast<double>(rss_bytes() - rss0) / static_cast<double>(n);
  s.heap = bench::per_op(a0, bench::allocs_now(), n);
  check(c.suspended == n && c.completed == 0, "taskio_mem: not every task parked");
  report_and_exit(s);  // the N tasks stay parked: no teardown
}

// ---------------------------------------------------------------------------
// 4. cancel N parked tasks, until all are done

asio::awaitable<void> asio_cancel(std::size_t n, sample& s) {
  auto ex = co_await asio::this_coro::executor;
  park_counters c;
  std::vector<asio::cancellation_signal> signals(n);
  std::size_t done = 0, exceptions = 0;
  asio::steady_timer latch(ex, asio::steady_timer::time_point::max());
  for (std::size_t i = 0; i < n; ++i) {
    asio::co_spawn(ex, asio_sleeper(c), asio::bind_cancellation_slot(signals[i].slot(), [&](std::exception_ptr e) {
                     if (e) ++exceptions;
                     if (++done == n) latch.cancel();
                   }));
  }
  co_await asio::post(ex, asio::use_awaitable);  // every child has parked
  check(c.suspended == n, "asio_cancel: not every coroutine parked");
  window w{n, &s};
  w.start();
  for (auto& sig : signals) sig.emit(asio::cancellation_type::terminal);
  co_await latch.async_wait(asio::as_tuple(asio::use_awaitable));
  w.stop();
  check(done == n && exceptions == n && c.completed == 0, "asio_cancel: not every coroutine was cancelled");
}

/// taskio side; `Observe(task, join_state&)` registers the completion counter.
template <class Observe>
asio::awaitable<void> taskio_cancel_with(std::size_t n, sample& s, Observe observe) {
  park_counters c;
  join_state j{n};
  std::vector<taskio::task<void>> tasks;
  tasks.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    tasks.push_back(taskio::create_task(taskio_sleeper(c)));
    observe(tasks.back(), j, i);
  }
  co_await taskio::sleep(std::chrono::seconds(0));  // FIFO: every task has parked
  check(c.suspended == n, "taskio_cancel: not every task parked");
  window w{n, &s};
  w.start();
  for (auto& t : tasks) t.cancel();
  co_await j.done.async_wait();
  w.stop();
  check(j.sum == static_cast<long long>(n) && c.completed == 0, "taskio_cancel: not every task was cancelled");
}

asio::awaitable<void> taskio_cancel(std::size_t n, sample& s) {
  return taskio_cancel_with(n, s, [](const taskio::task<void>& t, join_state& j, std::size_t) {
    t.add_done_callback([&j](const taskio::task<void>& t) { j.one_done(t.cancelled() ? 1 : 0); });
  });
}

asio::awaitable<void> taskio_cancel_node(std::size_t n, sample& s) {
  auto nodes = std::make_shared<std::vector<count_node>>(n);
  return taskio_cancel_with(n, s, [nodes](const taskio::task<void>& t, join_state& j, std::size_t i) {
    (*nodes)[i].watch(t, j);
  });
}

// ---------------------------------------------------------------------------
// 5. a group of N children: gather, task_group; ready or sleeping 10 ms

/// Makes the child coroutine number i.
using child_fn = asio::awaitable<int> (*)(int);

constexpr auto group_sleep = std::chrono::milliseconds(10);

asio::awaitable<int> asio_sleep_child(int i) {
  asio::steady_timer t(co_await asio::this_coro::executor, group_sleep);
  co_await t.async_wait(asio::use_awaitable);
  co_return i;
}

asio::awaitable<int> taskio_sleep_child(int i) {
  co_await taskio::sleep(group_sleep);
  co_return i;
}

/// Ends a group figure: sums the results (inside the window), closes the
/// window, checks the sum.
template <class Results, class Value>
void close_group(window& w, const Results& results, Value value, const char* what) {
  long long sum = 0;
  for (const auto& r : results) sum += value(r);
  w.stop();
  check(sum == triangle(w.n), what);
}

int itself(int v) { return v; }

asio::awaitable<void> asio_group_pg(std::size_t n, sample& s, child_fn make) {
  auto ex = co_await asio::this_coro::executor;
  window w{n, &s};
  w.start();
  using op = decltype(asio::co_spawn(ex, make(0), asio::deferred));
  std::vector<op> ops;
  ops.reserve(n);
  for (std::size_t i = 0; i < n; ++i) ops.push_back(asio::co_spawn(ex, make(static_cast<int>(i)), asio::deferred));
  auto [order, errors, values] = co_await asio::experimental::make_parallel_group(std::move(ops))
                                     .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  close_group(w, values, itself, "asio_group_pg: bad checksum");
}

asio::awaitable<void> asio_group_counter(std::size_t n, sample& s, child_fn make) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer latch(ex, asio::steady_timer::time_point::max());
  window w{n, &s};
  w.start();
  std::vector<int> values(n);
  std::size_t remaining = n;
  for (std::size_t i = 0; i < n; ++i) {
    asio::co_spawn(ex, make(static_cast<int>(i)), [&, i](std::exception_ptr, int v) {
      values[i] = v;
      if (--remaining == 0) latch.cancel();
    });
  }
  if (remaining != 0) co_await latch.async_wait(asio::as_tuple(asio::use_awaitable));
  close_group(w, values, itself, "asio_group_counter: bad checksum");
}

asio::awaitable<void> taskio_gather(std::size_t n, sample& s, child_fn make) {
  window w{n, &s};
  w.start();
  std::vector<asio::awaitable<int>> children;
  children.reserve(n);
  for (std::size_t i = 0; i < n; ++i) children.push_back(make(static_cast<int>(i)));
  const std::vector<int> values = co_await taskio::gather(std::move(children));
  close_group(w, values, itself, "taskio_gather: bad checksum");
}

asio::awaitable<void> taskio_task_group(std::size_t n, sample& s, child_fn make) {
  window w{n, &s};
  w.start();
  std::vector<taskio::task<int>> tasks;
  tasks.reserve(n);
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    for (std::size_t i = 0; i < n; ++i) tasks.push_back(tg.create_task(make(static_cast<int>(i))));
    co_return;
  });
  close_group(w, tasks, [](const taskio::task<int>& t) { return t.result(); }, "taskio_task_group: bad checksum");
}

// ---------------------------------------------------------------------------
// 6. N concurrent timeouts: sleep(10 min) inside timeout(1 h), all cancelled

constexpr auto timeout_deadline = std::chrono::hours(1);
constexpr auto timeout_sleep = std::chrono::minutes(10);

asio::awaitable<void> taskio_timeout_sleeper(park_counters& c) {
  ++c.suspended;
  co_await taskio::timeout(timeout_deadline, taskio::sleep(timeout_sleep));
  ++c.completed;
}

/// Plain Asio's hand-written timeout: a watchdog timer cancels the sleep.
asio::awaitable<void> asio_timeout_sleeper(park_counters& c) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer sleeper(ex, timeout_sleep);
  asio::steady_timer deadline(ex, timeout_deadline);
  deadline.async_wait([&sleeper](const boost::system::error_code& ec) {
    if (!ec) sleeper.cancel();
  });
  ++c.suspended;
  co_await sleeper.async_wait(asio::use_awaitable);  // cancelled: throws operation_aborted
  ++c.completed;
}  // ~deadline cancels the watchdog

/// Records the heap (and RSS) growth per task since the window started.
void note_parked(window& w, sample& s, long long rss0) {
  w.exclude([&] {
    s.parked = bench::per_op(w.a0, bench::allocs_now(), w.n);
    s.parked_rss = static_cast<double>(rss_bytes() - rss0) / static_cast<double>(w.n);
  });
}

asio::awaitable<void> asio_timeouts(std::size_t n, sample& s) {
  auto ex = co_await asio::this_coro::executor;
  park_counters c;
  std::vector<asio::cancellation_signal> signals(n);
  std::size_t done = 0;
  asio::steady_timer latch(ex, asio::steady_timer::time_point::max());
  const long long rss0 = rss_bytes();
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) {
    asio::co_spawn(ex, asio_timeout_sleeper(c),
                   asio::bind_cancellation_slot(signals[i].slot(), [&](std::exception_ptr) {
                     if (++done == n) latch.cancel();
                   }));
  }
  co_await asio::post(ex, asio::use_awaitable);  // every child has parked
  note_parked(w, s, rss0);
  check(c.suspended == n, "asio_timeouts: not every coroutine parked");
  for (auto& sig : signals) sig.emit(asio::cancellation_type::terminal);
  co_await latch.async_wait(asio::as_tuple(asio::use_awaitable));
  w.stop();
  check(done == n && c.completed == 0, "asio_timeouts: not every coroutine was cancelled");
}

asio::awaitable<void> taskio_timeouts(std::size_t n, sample& s) {
  park_counters c;
  join_state j{n};
  std::vector<taskio::task<void>> tasks;
  tasks.reserve(n);
  std::vector<count_node> nodes(n);
  const long long rss0 = rss_bytes();
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) {
    tasks.push_back(taskio::create_task(taskio_timeout_sleeper(c)));
    nodes[i].watch(tasks.back(), j);
  }
  co_await taskio::sleep(std::chrono::seconds(0));  // FIFO: every task has entered its scope and parked
  note_parked(w, s, rss0);
  check(c.suspended == n, "taskio_timeouts: not every task parked");
  for (auto& t : tasks) t.cancel();
  co_await j.done.async_wait();
  w.stop();
  check(j.sum == static_cast<long long>(n) && c.completed == 0, "taskio_timeouts: not every task was cancelled");
}

// ---------------------------------------------------------------------------
// the driver: every sample runs in a fresh child process (this executable,
// `--sample KEY N`), so no sample inherits the heap state (free lists,
// trimmed or cached memory) left by another; a warm-up run of the same side
// at the same N precedes the measured one (except for mem, which measures
// RSS growth from a fresh heap, and timeouts, whose 10^6 samples are long).

using side_fn = std::function<sample(std::size_t)>;

/// Every side of every figure, by key.
const std::vector<std::pair<std::string, side_fn>>& registry() {
  auto asio_side = [](auto main) { return [main](std::size_t n) { return on_asio(main, n); }; };
  auto taskio_side = [](auto main) { return [main](std::size_t n) { return on_taskio(main, n); }; };
  // a group figure's side with its children
  auto group = [](auto on_side, auto main, child_fn make) {
    return [=](std::size_t n) { return on_side([=](std::size_t k, sample& s) { return main(k, s, make); }, n); };
  };
  auto on_asio_loop = [](auto main, std::size_t n) { return on_asio(main, n); };
  auto on_taskio_loop = [](auto main, std::size_t n) { return on_taskio(main, n); };
  static const std::vector<std::pair<std::string, side_fn>> r{
      {"asio_create_await", asio_side(asio_create_await)},
      {"asio_create_await_reactor", [](std::size_t n) { return on_asio(asio_create_await, n, true); }},
      {"taskio_create_await", taskio_side(taskio_create_await)},
      {"asio_spawn_join", asio_side(asio_spawn_join)},
      {"taskio_spawn_join", taskio_side(taskio_spawn_join)},
      {"taskio_spawn_join_await", taskio_side(taskio_spawn_join_await)},
      // the structured join: the task_group figure's code, at spawn_join's N
      {"taskio_spawn_join_group", group(on_taskio_loop, taskio_task_group, child)},
      {"taskio_spawn_join_node", taskio_side(taskio_spawn_join_node)},
      {"asio_mem", asio_side(asio_mem)},
      {"taskio_mem", taskio_side(taskio_mem)},
      {"asio_cancel", asio_side(asio_cancel)},
      {"taskio_cancel", taskio_side(taskio_cancel)},
      {"taskio_cancel_node", taskio_side(taskio_cancel_node)},
      {"asio_group_ready_pg", group(on_asio_loop, asio_group_pg, child)},
      {"asio_group_ready_counter", group(on_asio_loop, asio_group_counter, child)},
      {"taskio_gather_ready", group(on_taskio_loop, taskio_gather, child)},
      {"taskio_task_group_ready", group(on_taskio_loop, taskio_task_group, child)},
      {"asio_group_sleep_pg", group(on_asio_loop, asio_group_pg, asio_sleep_child)},
      {"asio_group_sleep_counter", group(on_asio_loop, asio_group_counter, asio_sleep_child)},
      {"taskio_gather_sleep", group(on_taskio_loop, taskio_gather, taskio_sleep_child)},
      {"taskio_task_group_sleep", group(on_taskio_loop, taskio_task_group, taskio_sleep_child)},
      {"asio_timeouts", asio_side(asio_timeouts)},
      {"taskio_timeouts", taskio_side(taskio_timeouts)},
  };
  return r;
}

/// Child process: one (warm-up and) measured sample of `key`.
[[noreturn]] void run_sample(const std::string& key, std::size_t n, bool warmup) {
  for (const auto& [k, run] : registry()) {
    if (k != key) continue;
    if (warmup) run(n);
    report_and_exit(run(n));
  }
  fail(("unknown sample key " + key).c_str());
}

/// Parent: runs one sample of `key` in a child process.
sample child_sample(const std::string& key, std::size_t n, bool warmup) {
  char self[4096];
  const ssize_t len = ::readlink("/proc/self/exe", self, sizeof self - 1);
  check(len > 0, "readlink /proc/self/exe failed");
  self[len] = '\0';
  const std::string cmd = std::string("'") + self + "' --sample " + key + " " + std::to_string(n) +
                          (warmup ? " --warmup" : "");
  FILE* p = ::popen(cmd.c_str(), "r");
  check(p != nullptr, "popen failed");
  sample s;
  const int got = std::fscanf(p,
                              "sample cpu=%lf wall=%lf faults=%lf allocs=%lf live=%lf in_use=%lf rss=%lf "
                              "p_allocs=%lf p_live=%lf p_in_use=%lf p_rss=%lf",
                              &s.ns_per_op, &s.wall_ns_per_op, &s.faults_per_op, &s.heap.allocs, &s.heap.live,
                              &s.heap.in_use, &s.rss_per_op, &s.parked.allocs, &s.parked.live, &s.parked.in_use,
                              &s.parked_rss);
  const int rc = ::pclose(p);
  if (got != 11 || rc != 0) fail(("sample process failed: " + cmd).c_str());
  return s;
}

struct options {
  int reps = 5;
  double scale = 1.0;
  std::string only;
  bool verbose = false;
  bool cold = false;  // no warm-up run before the measured one
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

std::string fmt(double x) {
  char buf[64];
  if (std::isinf(x)) return "inf";
  std::snprintf(buf, sizeof buf, std::fabs(x) >= 100 ? "%.1f" : "%.3f", x);
  return buf;
}

/// Prints one figure line from its per-rep values.
void print_figure(const char* prefix, const std::string& name, const std::vector<double>& v, const char* unit,
                  std::size_t n, const std::string& base_name = {}, double base = 0) {
  const double med = median(v);
  std::string line = prefix + std::string("name=") + name + " value=" + fmt(med) + " unit=" + unit;
  if (!base_name.empty()) {
    const double ratio = base != 0 ? med / base : (med == 0 ? 1.0 : INFINITY);
    line += " ratio_vs=" + base_name + " ratio=" + fmt(ratio);
  }
  line += " n=" + std::to_string(n) + " reps=" + std::to_string(v.size()) + " min=" +
          fmt(*std::min_element(v.begin(), v.end())) + " max=" + fmt(*std::max_element(v.begin(), v.end()));
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

/// Which number of a sample a figure reports.
struct metric {
  const char* suffix;
  const char* unit;
  double (*of)(const sample&);
  const char* prefix = "";  // "# " for detail lines
};

const metric cpu_time{"", "ns/op", [](const sample& s) { return s.ns_per_op; }};
const metric wall_time{"_wall", "ns/op", [](const sample& s) { return s.wall_ns_per_op; }, "# "};
const metric faults{"_faults", "faults/op", [](const sample& s) { return s.faults_per_op; }, "# "};
const metric allocs{"_allocs", "allocs/task", [](const sample& s) { return s.heap.allocs; }};

/// Runs every side in `keys` `o.reps` times, in alternating order, then
/// prints each metric's median. Keys starting with "asio_" are plain-Asio
/// baselines: the one with the lowest median of the first metric is THE
/// baseline, printed first; every other line carries its ratio to it. Output
/// names are key + tag + metric suffix. Returns the medians of the first
/// metric by output name.
std::map<std::string, double> figure(const options& o, const std::string& id, const std::vector<std::string>& keys,
                                     const std::string& tag, std::size_t n, const std::vector<metric>& metrics,
                                     bool warmup = true, int max_reps = 0) {
  warmup = warmup && !o.cold;
  const int reps = max_reps > 0 ? std::min(o.reps, max_reps) : o.reps;
  if (!o.only.empty()) {
    bool wanted = (id + tag).find(o.only) != std::string::npos;
    for (const auto& k : keys) wanted = wanted || k.find(o.only) != std::string::npos;
    if (!wanted) return {};
  }
  std::vector<std::vector<sample>> got(keys.size());
  const auto began = clk::now();
  for (int r = 0; r < reps; ++r) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const std::size_t i = r % 2 ? keys.size() - 1 - k : k;  // alternate the order
      got[i].push_back(child_sample(keys[i], n, warmup));
      if (o.verbose) {
        const sample& x = got[i].back();
        std::printf("# sample %s%s rep=%d cpu_ns=%.1f wall_ns=%.1f faults=%.3f allocs=%.3f live=%.1f in_use=%.1f "
                    "rss=%.1f parked_in_use=%.1f\n",
                    keys[i].c_str(), tag.c_str(), r, x.ns_per_op, x.wall_ns_per_op, x.faults_per_op, x.heap.allocs,
                    x.heap.live, x.heap.in_use, x.rss_per_op, x.parked.in_use);
      }
    }
  }
  std::fprintf(stderr, "[task_bench] %s%s n=%zu reps=%d: %.0f s\n", id.c_str(), tag.c_str(), n, reps,
               std::chrono::duration<double>(clk::now() - began).count());
  auto values = [&](std::size_t i, const metric& m) {
    std::vector<double> v;
    for (const auto& s : got[i]) v.push_back(m.of(s));
    return v;
  };
  std::size_t base = 0;  // the fastest baseline (by the first metric)
  for (std::size_t i = 1; i < keys.size(); ++i)
    if (keys[i].rfind("asio_", 0) == 0 && median(values(i, metrics[0])) < median(values(base, metrics[0]))) base = i;
  std::map<std::string, double> medians;
  for (const auto& m : metrics) {
    const std::string base_name = keys[base] + tag + m.suffix;
    const auto bv = values(base, m);
    print_figure(m.prefix, base_name, bv, m.unit, n);
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (i != base) print_figure(m.prefix, keys[i] + tag + m.suffix, values(i, m), m.unit, n, base_name, median(bv));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) medians[keys[i] + tag] = median(values(i, metrics[0]));
  return medians;
}

/// "_1m", "_100k", "_2500".
std::string count_tag(std::size_t n) {
  if (n % 1000000 == 0) return "_" + std::to_string(n / 1000000) + "m";
  if (n % 1000 == 0) return "_" + std::to_string(n / 1000) + "k";
  return "_" + std::to_string(n);
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: task_bench [--quick] [--reps R] [--scale X] [--only SUBSTR] [--cold] [--verbose]\n"
               "  --quick    smoke run: N / 10, 3 reps\n"
               "  --reps R   samples per figure and side (default 5; 1 in the allocation-counting build)\n"
               "  --scale X  multiply every N by X (names carry the N used: spawn_join_100k, ...)\n"
               "  --only S   run only the figures whose id or side contains S (create_await, spawn_join_1m,\n"
               "             mem, cancel, group_ready, gather, task_group, timeouts, ...)\n"
               "  --cold     no warm-up run in the sample process (names get '_cold')\n"
               "  --verbose  also print every sample ('# sample ...')\n");
  std::exit(64);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::strcmp(argv[1], "--sample") == 0)
    run_sample(argv[2], std::strtoull(argv[3], nullptr, 10), argc > 4 && std::strcmp(argv[4], "--warmup") == 0);

  options o;
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
  auto scaled = [&](std::size_t n) {
    return std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(n) * o.scale));
  };

  std::printf("# task_bench build=%s reps=%d scale=%g\n", bench::counting_allocs ? "allocs" : "plain", o.reps,
              o.scale);

  // timed figures: thread CPU ns per op (wall time and page faults as detail
  // lines) in the plain build, allocations per op in the counting build
  const std::vector<metric> timed =
      bench::counting_allocs ? std::vector<metric>{allocs} : std::vector<metric>{cpu_time, wall_time, faults};
  // the counting build counts each figure once, at its smaller N (the
  // count per task does not depend on N), and names it without N
  auto tag = [&](std::size_t n) {
    return (bench::counting_allocs ? std::string() : count_tag(n)) + (o.cold ? "_cold" : "");
  };

  figure(o, "create_await", {"asio_create_await", "asio_create_await_reactor", "taskio_create_await"},
         o.cold ? "_cold" : "", scaled(200000), timed);

  // spawn + join: the headline at 1M (warm only: ~2 s per sample), every
  // variant at 100k
  if (!bench::counting_allocs && !o.cold)
    figure(o, "spawn_join", {"asio_spawn_join", "taskio_spawn_join_group", "taskio_spawn_join_await", "taskio_spawn_join"},
           tag(scaled(1000000)), scaled(1000000), timed);
  figure(o, "spawn_join", {"asio_spawn_join", "taskio_spawn_join_group", "taskio_spawn_join_await", "taskio_spawn_join",
                           "taskio_spawn_join_node"},
         tag(scaled(100000)), scaled(100000), timed);

  const std::vector<metric> mem =
      bench::counting_allocs
          ? std::vector<metric>{allocs, {"_heap_live", "bytes/task", [](const sample& s) { return s.heap.live; }}}
          : std::vector<metric>{{"_rss", "bytes/task", [](const sample& s) { return s.rss_per_op; }},
                                {"_heap", "bytes/task", [](const sample& s) { return s.heap.in_use; }}};
  if (!o.cold)  // always measured cold: RSS growth from a fresh heap
    figure(o, "mem", {"asio_mem", "taskio_mem"}, "", scaled(100000), mem, /*warmup=*/false);

  const std::size_t nc = scaled(100000);
  figure(o, "cancel", {"asio_cancel", "taskio_cancel"}, tag(nc), nc, timed);

  const std::size_t ng = scaled(100000);
  figure(o, "group_ready", {"asio_group_ready_pg", "asio_group_ready_counter", "taskio_gather_ready",
                            "taskio_task_group_ready"},
         tag(ng), ng, timed);
  figure(o, "group_sleep", {"asio_group_sleep_pg", "asio_group_sleep_counter", "taskio_gather_sleep",
                            "taskio_task_group_sleep"},
         tag(ng), ng, timed);

  // timeouts: the per-task cost at two N and the heap per task while all
  // are parked. Always measured without warm-up (a warm-up would double the
  // ~10 s samples at 10^6; page faults per task are the same at both N), in
  // the plain run only; at the larger N at most 3 samples. The counting
  // build: the smaller N only.
  if (o.cold) return 0;
  std::vector<metric> tm = timed;
  if (bench::counting_allocs) {
    tm.push_back({"_parked_allocs", "allocs/task", [](const sample& s) { return s.parked.allocs; }});
    tm.push_back({"_parked_live", "bytes/task", [](const sample& s) { return s.parked.live; }});
  } else {
    tm.push_back({"_parked_heap", "bytes/task", [](const sample& s) { return s.parked.in_use; }});
    tm.push_back({"_parked_rss", "bytes/task", [](const sample& s) { return s.parked_rss; }});
  }
  const std::vector<std::string> sides{"asio_timeouts", "taskio_timeouts"};
  const std::size_t small = scaled(10000), large = scaled(1000000);
  const auto at_small = figure(o, "timeouts", sides, tag(small), small, tm, /*warmup=*/false);
  if (bench::counting_allocs) return 0;
  // at the larger N, taskio 3 samples, Asio (context only) 1: ~20 s each
  auto at_large = figure(o, "timeouts", {"taskio_timeouts"}, tag(large), large, tm, false, /*max_reps=*/3);
  at_large.merge(figure(o, "timeouts", {"asio_timeouts"}, tag(large), large, tm, false, /*max_reps=*/1));
  // the scaling figure: per-task cost at the larger N over the smaller
  for (const auto& side : sides) {
    const auto s = at_small.find(side + tag(small));
    const auto l = at_large.find(side + tag(large));
    if (s != at_small.end() && l != at_large.end())
      print_figure("", side + "_scaling", {l->second}, "ns/op", large, s->first, s->second);
  }
  return 0;
}
