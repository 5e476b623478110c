//
// bench/task_bench/spawn_join.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// spawn_join: create N trivial tasks, then wait until all finished.
// taskio: create_task + add_done_callback counting, main waits on a
// taskio::future (headline, public API); variants: awaiting each task in
// turn (`_await`), a task_group (`_group`: the group_ready figure's code at
// this N), and a kernel completion_node counter (`_node`: no std::function,
// no extra post; shows what the public done-callback costs). Asio: co_spawn
// with a counting completion handler.

#include "harness.hpp"

namespace bench {

asio::awaitable<void> taskio_task_group(std::size_t n, sample& s, child_fn make);  // groups.cpp

namespace {

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

}  // namespace

extern const figure_def spawn_join{
    {
        {"asio_spawn_join", asio_side(asio_spawn_join)},
        {"taskio_spawn_join", taskio_side(taskio_spawn_join)},
        {"taskio_spawn_join_await", taskio_side(taskio_spawn_join_await)},
        // the structured join: the task_group figure's code, at spawn_join's N
        {"taskio_spawn_join_group", taskio_group_side(taskio_task_group, child)},
        {"taskio_spawn_join_node", taskio_side(taskio_spawn_join_node)},
    },
    [](const options& o) {
      // the headline at 1M (warm only: ~2 s per sample), every variant at 100k
      if (!counting_allocs && !o.cold)
        figure(o, "spawn_join",
               {"asio_spawn_join", "taskio_spawn_join_group", "taskio_spawn_join_await", "taskio_spawn_join"},
               o.tag(o.scaled(1000000)), o.scaled(1000000), timed_metrics());
      figure(o, "spawn_join",
             {"asio_spawn_join", "taskio_spawn_join_group", "taskio_spawn_join_await", "taskio_spawn_join",
              "taskio_spawn_join_node"},
             o.tag(o.scaled(100000)), o.scaled(100000), timed_metrics());
    }};

}  // namespace bench
