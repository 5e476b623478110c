//
// bench/task_bench/context_switch.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// context_switch: a coroutine resuming N times from `co_await
// asio::post(asio::use_awaitable)` and reading its request's id after each
// resumption, as a logging call would.
//
//   taskio_context_switch        the task set a context_var<int> before the
//                                loop: every step switches to its own
//                                non-empty context (one thread-local pointer
//                                saved, set, restored) and get() finds it
//   taskio_context_switch_unset  the same task without the set: an empty
//                                context, get() returns the default
//   taskio_context_set_each      set(i) before each await, reset(token)
//                                after it (a copy of the variables per set)
//   asio_context_switch          the hand-written equivalent in plain Asio:
//                                a co_spawned coroutine keeps the request in
//                                its frame and publishes it in a
//                                thread-local pointer around each resumption
//                                (saved, set, read, restored)

#include "harness.hpp"

namespace bench {

namespace {

taskio::context_var<int> request_id{"request_id", 0};

struct request {
  int id;
};
thread_local const request* current_request = nullptr;

asio::awaitable<void> asio_context_switch(std::size_t n, sample& s) {
  const request mine{42};
  long long sum = 0;
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) {
    co_await asio::post(asio::use_awaitable);
    const request* saved = current_request;
    current_request = &mine;
    sum += current_request->id;
    current_request = saved;
  }
  w.stop();
  check(sum == 42 * static_cast<long long>(n), "asio_context_switch: bad checksum");
}

template <bool Set>
asio::awaitable<void> taskio_context_switch(std::size_t n, sample& s) {
  if (Set) request_id.set(42);
  long long sum = 0;
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) {
    co_await asio::post(asio::use_awaitable);
    sum += request_id.get();
  }
  w.stop();
  check(sum == (Set ? 42 : 0) * static_cast<long long>(n), "taskio_context_switch: bad checksum");
}

asio::awaitable<void> taskio_context_set_each(std::size_t n, sample& s) {
  long long sum = 0;
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) {
    const auto token = request_id.set(42);
    co_await asio::post(asio::use_awaitable);
    sum += request_id.get();
    request_id.reset(token);
  }
  w.stop();
  check(sum == 42 * static_cast<long long>(n), "taskio_context_set_each: bad checksum");
}

}  // namespace

extern const figure_def context_switch{
    {
        {"asio_context_switch", asio_side(asio_context_switch)},
        {"taskio_context_switch", taskio_side(taskio_context_switch<true>)},
        {"taskio_context_switch_unset", taskio_side(taskio_context_switch<false>)},
        {"taskio_context_set_each", taskio_side(taskio_context_set_each)},
    },
    [](const options& o) {
      const std::size_t n = o.scaled(1000000);
      figure(o, "context_switch",
             {"asio_context_switch", "taskio_context_switch", "taskio_context_switch_unset", "taskio_context_set_each"},
             o.tag(n), n, timed_metrics());
    }};

}  // namespace bench
