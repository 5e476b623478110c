//
// bench/task_bench/harness.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The measurement harness of task_bench (bench/task_bench.cpp): what one
// sample measures (`window`), how a side runs (plain Asio: on_asio; taskio:
// on_taskio), how a figure's sides are sampled in child processes and
// printed (`figure`), and the few workloads several figures share. Each
// figure lives in bench/task_bench/<figure>.cpp and defines a `figure_def`:
// its sides by key, and how main runs it.
//
// Built with -DBENCH_COUNT_ALLOCS (every task_bench translation unit) the
// executable counts C-heap allocations (alloc_count.hpp); built with
// -DBENCH_CALLGRIND, callgrind (--collect-atstart=no) sees only the windows.

#ifndef TASKIO_BENCH_HARNESS_HPP
#define TASKIO_BENCH_HARNESS_HPP

#include "../alloc_count.hpp"

#include <taskio.hpp>

#include <boost/asio.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#ifdef BENCH_CALLGRIND  // profile only the measured windows:
#include <valgrind/callgrind.h>  // valgrind --tool=callgrind --collect-atstart=no
#define BENCH_TOGGLE_COLLECT() CALLGRIND_TOGGLE_COLLECT
#else
#define BENCH_TOGGLE_COLLECT() ((void)0)
#endif

namespace bench {

namespace asio = boost::asio;
using clk = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// measurement

/// One repetition of one side of a figure.
struct sample {
  double ns_per_op = 0;       // thread CPU time per op
  double wall_ns_per_op = 0;  // wall-clock time per op
  double faults_per_op = 0;   // minor page faults per op
  alloc_delta heap;           // per op
  double rss_per_op = 0;      // RSS growth per op (mem only)
  alloc_delta parked;         // per op, while every task is parked (timeouts only)
  double parked_rss = 0;      // RSS growth per op at the same moment
};

/// CPU time of this thread (user + system), ns. Unlike wall time it does not
/// count time during which other processes had the core.
double thread_cpu_ns();

/// Minor page faults of this thread so far.
long minor_faults();

/// This process's resident set size, bytes (-1 if unknown).
long long rss_bytes();

/// The measured window of one repetition.
struct window {
  std::size_t n;
  sample* out;
  clk::time_point t0{};
  double cpu0 = 0;
  long faults0 = 0;
  alloc_snapshot a0{};
  double excluded_cpu = 0;
  double excluded_wall = 0;

  void start();
  void stop();
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

/// Prints "task_bench: <what>" and exits with status 2.
[[noreturn]] void fail(const char* what);

inline void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

/// A sample process's only output line; then it leaves at once (parked
/// tasks are not torn down).
[[noreturn]] void report_and_exit(const sample& s);

/// 0 + 1 + ... + (n - 1): the checksum of n children returning their index.
inline long long triangle(std::size_t n) { return static_cast<long long>(n) * static_cast<long long>(n - 1) / 2; }

// ---------------------------------------------------------------------------
// the two sides

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

/// One side of a figure: runs one sample at N.
using side_fn = std::function<sample(std::size_t)>;

/// A side by its key ("asio_cancel", "taskio_cancel", ...): the key is what
/// the sample process is asked for and the start of the output names.
struct side {
  std::string key;
  side_fn run;
};

template <class Main>
side_fn asio_side(Main main) {
  return [main](std::size_t n) { return on_asio(main, n); };
}

template <class Main>
side_fn taskio_side(Main main) {
  return [main](std::size_t n) { return on_taskio(main, n); };
}

/// Makes the child coroutine number i (the group figures' children).
using child_fn = asio::awaitable<int> (*)(int);

/// A group figure's side: main(n, sample&, make) on plain Asio.
template <class Main>
side_fn asio_group_side(Main main, child_fn make) {
  return [=](std::size_t n) { return on_asio([=](std::size_t k, sample& s) { return main(k, s, make); }, n); };
}

/// A group figure's side: main(n, sample&, make) as taskio's main task.
template <class Main>
side_fn taskio_group_side(Main main, child_fn make) {
  return [=](std::size_t n) { return on_taskio([=](std::size_t k, sample& s) { return main(k, s, make); }, n); };
}

// ---------------------------------------------------------------------------
// workloads several figures share

/// The trivial child task of every figure.
asio::awaitable<int> child(int i);

/// Plain Asio's create + await: `co_await co_spawn(ex, child(i), use_awaitable)`
/// n times (create_await's baseline, and eager's: co_spawn runs the child inline).
asio::awaitable<void> asio_create_await(std::size_t n, sample& s);

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

/// A kernel completion node that counts (the cheapest possible observer).
struct count_node : taskio::detail::completion_node {
  join_state* j = nullptr;

  template <class T>
  static void on_fire(completion_node* n, taskio::detail::future_state_base& s) {
    auto& t = static_cast<taskio::detail::task_state<T>&>(s);
    if constexpr (std::is_void_v<T>)
      static_cast<count_node*>(n)->j->one_done(t.cancelled() ? 1 : 0);
    else
      static_cast<count_node*>(n)->j->one_done(t.take_value("task_bench"));
  }
  template <class T>
  void watch(const taskio::task<T>& t, join_state& state) {
    j = &state;
    fire = &count_node::on_fire<T>;
    taskio::detail::access::state(t)->add_node(this);
  }
};

/// How long the parked tasks of mem and cancel sleep.
constexpr auto parked_for = std::chrono::hours(1);

struct park_counters {
  std::size_t suspended = 0;
  std::size_t completed = 0;
};

/// Parks on a steady_timer of its own for parked_for (cancelled: throws operation_aborted).
asio::awaitable<void> asio_sleeper(park_counters& c);

/// Parks in taskio::sleep(parked_for) (cancelled: throws cancelled_error).
asio::awaitable<void> taskio_sleeper(park_counters& c);

// ---------------------------------------------------------------------------
// figures: sampling and output

struct options {
  int reps = 5;
  double scale = 1.0;
  std::string only;
  bool verbose = false;
  bool cold = false;  // no warm-up run before the measured one

  /// n times --scale, at least 1.
  std::size_t scaled(std::size_t n) const;
  /// A figure's name tag at n: "_100k" ("" in the counting build, whose
  /// counts per task do not depend on N), plus "_cold".
  std::string tag(std::size_t n) const;
};

/// Which number of a sample a figure reports.
struct metric {
  const char* suffix;
  const char* unit;
  double (*of)(const sample&);
  const char* prefix = "";  // "# " for detail lines
};

extern const metric cpu_time, wall_time, faults, allocs;

/// The timed figures' metrics: thread CPU ns per op (wall time and page
/// faults as detail lines) in the plain build, allocations per op in the
/// counting build.
std::vector<metric> timed_metrics();

/// Prints one figure line from its per-rep values.
void print_figure(const char* prefix, const std::string& name, const std::vector<double>& v, const char* unit,
                  std::size_t n, const std::string& base_name = {}, double base = 0);

/// Runs every side in `keys` `o.reps` times (each sample in a child
/// process, this executable with `--sample KEY N`), in alternating order,
/// then prints each metric's median. Keys starting with "asio_" are
/// plain-Asio baselines: the one with the lowest median of the first metric
/// is THE baseline, printed first; every other line carries its ratio to it.
/// Output names are key + tag + metric suffix. Returns the medians of the
/// first metric by output name. Runs nothing when --only excludes it.
std::map<std::string, double> figure(const options& o, const std::string& id, const std::vector<std::string>& keys,
                                     const std::string& tag, std::size_t n, const std::vector<metric>& metrics,
                                     bool warmup = true, int max_reps = 0);

/// One figure file (bench/task_bench/*.cpp): its sides, and how main runs it
/// (calls to figure() at the figure's sizes).
struct figure_def {
  std::vector<side> sides;
  void (*run)(const options& o);
};

/// Child process: one (warm-up and) measured sample of `key` among `figures`.
[[noreturn]] void run_sample(const std::vector<const figure_def*>& figures, const std::string& key, std::size_t n,
                             bool warmup);

}  // namespace bench

#endif  // TASKIO_BENCH_HARNESS_HPP
