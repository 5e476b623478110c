//
// bench/task_bench/eager.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// eager: N times, create a task whose body completes without suspending
// (child(i): co_return i) and await it, with eager start
// (task_options{.eager_start = true}: the first step runs inside
// create_task) and lazy (.eager_start = false: the first step is
// scheduled, asyncio's default), beside plain Asio's `co_await co_spawn(ex,
// child(i), use_awaitable)` (which also runs the child inline). One more
// line compares eager with lazy directly.

#include "harness.hpp"

#include <cstdio>

namespace bench {

namespace {

template <bool Eager>
asio::awaitable<void> taskio_eager(std::size_t n, sample& s) {
  long long sum = 0;
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) {
    auto t = taskio::create_task(child(static_cast<int>(i)), taskio::task_options{.eager_start = Eager});
    sum += co_await t.async_wait();
  }
  w.stop();
  check(sum == triangle(n), "taskio_eager: bad checksum");
}

}  // namespace

extern const figure_def eager{
    {
        {"asio_eager", asio_side(asio_create_await)},  // co_spawn runs the child inline too
        {"taskio_eager_lazy", taskio_side(taskio_eager<false>)},
        {"taskio_eager", taskio_side(taskio_eager<true>)},
    },
    [](const options& o) {
      const std::size_t n = o.scaled(200000);
      const std::string tag = o.cold ? "_cold" : "";
      const auto m = figure(o, "eager", {"asio_eager", "taskio_eager_lazy", "taskio_eager"}, tag, n, timed_metrics());
      if (m.empty() || counting_allocs) return;
      // derived: eager against lazy, same run
      const double e = m.at("taskio_eager" + tag), l = m.at("taskio_eager_lazy" + tag);
      std::printf("name=taskio_eager_vs_lazy%s value=%.3f unit=x derived=taskio_eager%s/taskio_eager_lazy%s n=%zu\n",
                  tag.c_str(), l != 0 ? e / l : 0.0, tag.c_str(), tag.c_str(), n);
      std::fflush(stdout);
    }};

}  // namespace bench
