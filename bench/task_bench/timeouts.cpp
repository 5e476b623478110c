//
// bench/task_bench/timeouts.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// timeouts: N tasks each awaiting sleep(10 min) inside a timeout(1 h)
// scope, all parked at once, then all cancelled; timed from the first
// creation to the last completion (kernel completion_node counter). Run at
// two N: the figure is the per-task cost at the larger N over the one at
// the smaller (`taskio_timeouts_scaling`), plus the heap per task while all
// are parked (`_parked_heap`, `_parked_rss`). Always measured without
// warm-up. Asio context: a coroutine with its own steady_timer (10 min) and
// a watchdog steady_timer (1 h) whose handler cancels it; cancelled by
// cancellation_signal::emit.

#include "harness.hpp"

namespace bench {

namespace {

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
    s.parked = per_op(w.a0, allocs_now(), w.n);
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

/// The per-task cost at two N and the heap per task while all are parked.
/// Always measured without warm-up (a warm-up would double the ~10 s
/// samples at 10^6; page faults per task are the same at both N), in the
/// plain run only; at the larger N at most 3 samples. The counting build:
/// the smaller N only.
void run(const options& o) {
  if (o.cold) return;
  std::vector<metric> tm = timed_metrics();
  if (counting_allocs) {
    tm.push_back({"_parked_allocs", "allocs/task", [](const sample& s) { return s.parked.allocs; }});
    tm.push_back({"_parked_live", "bytes/task", [](const sample& s) { return s.parked.live; }});
  } else {
    tm.push_back({"_parked_heap", "bytes/task", [](const sample& s) { return s.parked.in_use; }});
    tm.push_back({"_parked_rss", "bytes/task", [](const sample& s) { return s.parked_rss; }});
  }
  const std::vector<std::string> sides{"asio_timeouts", "taskio_timeouts"};
  const std::size_t small = o.scaled(10000), large = o.scaled(1000000);
  const auto at_small = figure(o, "timeouts", sides, o.tag(small), small, tm, /*warmup=*/false);
  if (counting_allocs) return;
  // at the larger N, taskio 3 samples, Asio (context only) 1: ~20 s each
  auto at_large = figure(o, "timeouts", {"taskio_timeouts"}, o.tag(large), large, tm, false, /*max_reps=*/3);
  at_large.merge(figure(o, "timeouts", {"asio_timeouts"}, o.tag(large), large, tm, false, /*max_reps=*/1));
  // the scaling figure: per-task cost at the larger N over the smaller
  for (const auto& side : sides) {
    const auto s = at_small.find(side + o.tag(small));
    const auto l = at_large.find(side + o.tag(large));
    if (s != at_small.end() && l != at_large.end())
      print_figure("", side + "_scaling", {l->second}, "ns/op", large, s->first, s->second);
  }
}

}  // namespace

extern const figure_def timeouts{
    {
        {"asio_timeouts", asio_side(asio_timeouts)},
        {"taskio_timeouts", taskio_side(taskio_timeouts)},
    },
    run};

}  // namespace bench
