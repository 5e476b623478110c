//
// bench/task_bench/create_await.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// create_await: N times, create one task running a trivial awaitable<int>
// and await it (taskio: create_task + co_await t.async_wait(); Asio:
// co_await co_spawn(ex, child(), use_awaitable); also with an idle
// steady_timer on the io_context, `_reactor`, because Asio then polls epoll
// whenever its queue drains, as it always does under taskio, whose loop
// owns a timer).

#include "harness.hpp"

namespace bench {

namespace {

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

}  // namespace

extern const figure_def create_await{
    {
        {"asio_create_await", asio_side(asio_create_await)},
        {"asio_create_await_reactor", [](std::size_t n) { return on_asio(asio_create_await, n, true); }},
        {"taskio_create_await", taskio_side(taskio_create_await)},
    },
    [](const options& o) {
      figure(o, "create_await", {"asio_create_await", "asio_create_await_reactor", "taskio_create_await"},
             o.cold ? "_cold" : "", o.scaled(200000), timed_metrics());
    }};

}  // namespace bench
