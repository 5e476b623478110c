//
// bench/task_bench/mem.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// mem: N tasks parked in taskio::sleep(1h) vs N co_spawned coroutines
// parked on their own steady_timer (1 h): RSS growth and heap in use
// (mallinfo2) per task, always from a fresh process (no warm-up).

#include "harness.hpp"

namespace bench {

namespace {

asio::awaitable<void> asio_mem(std::size_t n, sample& s) {
  auto ex = co_await asio::this_coro::executor;
  park_counters c;
  const long long rss0 = rss_bytes();
  const auto a0 = allocs_now();
  for (std::size_t i = 0; i < n; ++i) asio::co_spawn(ex, asio_sleeper(c), asio::detached);
  co_await asio::post(ex, asio::use_awaitable);  // FIFO: every child has parked
  s.rss_per_op = static_cast<double>(rss_bytes() - rss0) / static_cast<double>(n);
  s.heap = per_op(a0, allocs_now(), n);
  check(c.suspended == n && c.completed == 0, "asio_mem: not every coroutine parked");
  report_and_exit(s);  // the N coroutines stay parked: no teardown
}

asio::awaitable<void> taskio_mem(std::size_t n, sample& s) {
  park_counters c;
  const long long rss0 = rss_bytes();
  const auto a0 = allocs_now();
  for (std::size_t i = 0; i < n; ++i) taskio::create_task(taskio_sleeper(c));
  co_await taskio::sleep(std::chrono::seconds(0));  // FIFO: every task has taken its first step and parked
  s.rss_per_op = static_cast<double>(rss_bytes() - rss0) / static_cast<double>(n);
  s.heap = per_op(a0, allocs_now(), n);
  check(c.suspended == n && c.completed == 0, "taskio_mem: not every task parked");
  report_and_exit(s);  // the N tasks stay parked: no teardown
}

}  // namespace

extern const figure_def mem{
    {
        {"asio_mem", asio_side(asio_mem)},
        {"taskio_mem", taskio_side(taskio_mem)},
    },
    [](const options& o) {
      const std::vector<metric> metrics =
          counting_allocs
              ? std::vector<metric>{allocs, {"_heap_live", "bytes/task", [](const sample& s) { return s.heap.live; }}}
              : std::vector<metric>{{"_rss", "bytes/task", [](const sample& s) { return s.rss_per_op; }},
                                    {"_heap", "bytes/task", [](const sample& s) { return s.heap.in_use; }}};
      if (!o.cold)  // always measured cold: RSS growth from a fresh heap
        figure(o, "mem", {"asio_mem", "taskio_mem"}, "", o.scaled(100000), metrics, /*warmup=*/false);
    }};

}  // namespace bench
