//
// test/concurrency_support.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Helpers shared by the tests of gather, wait and as_completed, and by the
// tests on an io_context run by several threads.

#ifndef TASKIO_TEST_CONCURRENCY_SUPPORT_HPP
#define TASKIO_TEST_CONCURRENCY_SUPPORT_HPP

#include "timeout_support.hpp"  // value_after, error_text

#include <taskio/future.hpp>
#include <taskio/run.hpp>
#include <taskio/threadsafe.hpp>

#include <string>
#include <thread>
#include <vector>

namespace taskio_test {

/// Tasks finishing after the given numbers of seconds, each with that
/// number as its value.
template <class... S>
std::vector<taskio::task<int>> tasks_after(S... seconds) {
  std::vector<taskio::task<int>> ts;
  (ts.push_back(taskio::create_task(value_after(std::chrono::seconds(seconds), seconds))), ...);
  return ts;
}

/// An io_context (concurrency hint 4 unless given) run by `n` threads until destroyed.
struct threaded_loop {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::vector<std::thread> threads;

  explicit threaded_loop(int n, int concurrency_hint = 4) : io(concurrency_hint) {
    for (int i = 0; i < n; ++i) threads.emplace_back([this] { io.run(); });
  }
  ~threaded_loop() {
    work.reset();
    io.stop();  // an armed loop timer would otherwise keep run() busy
    for (auto& t : threads) t.join();
  }
};

/// A taskio loop (taskio::runner) running on a background thread until the
/// fixture is destroyed. The work guard tells the loop that foreign threads
/// will post to it (else, idle, it would report a deadlock).
struct background_loop {
  taskio::runner runner{taskio::run_options{.handle_signals = false}};
  asio::io_context::executor_type ex = runner.get_executor();
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ex);
  taskio::future<void> stop{ex};
  std::thread thread{[this] { runner.run(stop.async_wait()); }};

  ~background_loop() {
    taskio::call_soon_threadsafe(ex, [s = stop] { s.set_result(); });
    work.reset();
    thread.join();
  }
};

/// A vector of `a...` (g++ 12 cannot compile std::initializer_list inside
/// coroutines).
template <class T, class... A>
std::vector<T> vec(A... a) {
  return std::vector<T>{a...};
}

}  // namespace taskio_test

#endif  // TASKIO_TEST_CONCURRENCY_SUPPORT_HPP
