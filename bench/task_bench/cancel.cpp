//
// bench/task_bench/cancel.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// cancel: N parked tasks (as in mem), all cancelled at once, timed until
// every task is done. taskio: t.cancel() on each, done callbacks count
// (registered before the window; `_node`: completion_node counter). Asio:
// cancellation_signal::emit (terminal) on each; the timer wait uses
// use_awaitable, so each coroutine ends with an operation_aborted exception.

#include "harness.hpp"

#include <memory>

namespace bench {

namespace {

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

}  // namespace

extern const figure_def cancel{
    {
        {"asio_cancel", asio_side(asio_cancel)},
        {"taskio_cancel", taskio_side(taskio_cancel)},
        {"taskio_cancel_node", taskio_side(taskio_cancel_node)},
    },
    [](const options& o) {
      const std::size_t n = o.scaled(100000);
      figure(o, "cancel", {"asio_cancel", "taskio_cancel"}, o.tag(n), n, timed_metrics());
    }};

}  // namespace bench
