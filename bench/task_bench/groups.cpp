//
// bench/task_bench/groups.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// group_ready: N trivial children joined as a group. taskio: gather over a
// vector of N awaitables (`taskio_gather`), and a task_group creating N
// children, then reading every result (`taskio_task_group`). Asio, two
// hand-written equivalents, the faster of which is the baseline: a ranged
// experimental::make_parallel_group over N co_spawn(ex, child, deferred),
// wait_for_all (`_pg`), and N co_spawns with a handler storing each result
// and counting (`_counter`).
// group_sleep: the same with children that first sleep 10 ms on the real
// clock (taskio::sleep vs a steady_timer of their own).

#include "harness.hpp"

#include <boost/asio/experimental/parallel_group.hpp>

namespace bench {

namespace {

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

}  // namespace

/// Also spawn_join's structured variant (`taskio_spawn_join_group`).
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

extern const figure_def groups{
    {
        {"asio_group_ready_pg", asio_group_side(asio_group_pg, child)},
        {"asio_group_ready_counter", asio_group_side(asio_group_counter, child)},
        {"taskio_gather_ready", taskio_group_side(taskio_gather, child)},
        {"taskio_task_group_ready", taskio_group_side(taskio_task_group, child)},
        {"asio_group_sleep_pg", asio_group_side(asio_group_pg, asio_sleep_child)},
        {"asio_group_sleep_counter", asio_group_side(asio_group_counter, asio_sleep_child)},
        {"taskio_gather_sleep", taskio_group_side(taskio_gather, taskio_sleep_child)},
        {"taskio_task_group_sleep", taskio_group_side(taskio_task_group, taskio_sleep_child)},
    },
    [](const options& o) {
      const std::size_t n = o.scaled(100000);
      figure(o, "group_ready",
             {"asio_group_ready_pg", "asio_group_ready_counter", "taskio_gather_ready", "taskio_task_group_ready"},
             o.tag(n), n, timed_metrics());
      figure(o, "group_sleep",
             {"asio_group_sleep_pg", "asio_group_sleep_counter", "taskio_gather_sleep", "taskio_task_group_sleep"},
             o.tag(n), n, timed_metrics());
    }};

}  // namespace bench
