//
// lib/loop_thread.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// loop_thread: the thread that runs the loop, and the awaiting side's wait
// for it (cancellation forwarded, the loop always waited for).

#include <taskio/loop_thread.hpp>

#include "loop_shutdown.hpp"

#include <taskio/detail/task_state.hpp>  // unwrap_executor
#include <taskio/exceptions.hpp>
#include <taskio/use_task.hpp>
#include <taskio/wait.hpp>

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/this_coro.hpp>

#include <atomic>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace taskio {

namespace asio = boost::asio;

namespace {

/// The loop's main task: waits until `main` is done without retrieving its
/// outcome (the awaiting side retrieves it).
asio::awaitable<void> until_done(task_ref main) {
  std::vector<task_ref> tasks{main};
  co_await taskio::wait(std::move(tasks));
}

}  // namespace

loop_thread::loop_thread() : runner_(run_options{.handle_signals = false}) {}

loop_thread::~loop_thread() = default;

asio::io_context::executor_type loop_thread::get_executor() { return runner_.get_executor(); }

void loop_thread::start(const char* who) {
  if (started_) throw std::logic_error(std::string(who) + ": called twice (a loop_thread runs one main task)");
  started_ = true;
}

asio::awaitable<void> loop_thread::run_until_done(task_ref main) {
  using channel = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  channel wake(ex, 1);                // thread-safe: wakes the awaiting side once the loop stopped
  std::atomic<bool> stopped = false;  // set before the wake-up: a receive that a cancellation
                                      // ended may have consumed it
  std::exception_ptr failure;         // the loop's own (written by the thread before `stopped`)
  // Once the loop shuts down it refuses submissions from other threads: a
  // cancellation is forwarded only before (main is done by then, or the
  // shutdown cancels it).
  std::mutex closing_mutex;
  bool closing = false;
  auto forward = [&](std::string msg) {
    std::lock_guard lock(closing_mutex);
    if (!closing) main.cancel_threadsafe(std::move(msg));
  };
  // Outstanding work while the thread runs: else the awaiting loop, with
  // nothing else to do, would take itself for deadlocked.
  const asio::any_io_executor work = asio::prefer(detail::unwrap_executor(ex), asio::execution::outstanding_work.tracked);
  asio::io_context& io = static_cast<asio::io_context&>(runner_.get_executor().context());
  std::jthread thread([&] {
    try {
      runner_.run(until_done(main));
    } catch (...) {
      failure = std::current_exception();  // main's outcome stays in the task
    }
    {
      std::lock_guard lock(closing_mutex);
      closing = true;
    }
    // the runner's close() without destroying the io_context: what was made
    // with get_executor() may outlive run(); ~runner destroys it
    detail::shut_down_loop(io);
    stopped.store(true, std::memory_order_release);
    wake.try_send(boost::system::error_code());
  });
  std::exception_ptr cancellation;
  while (!stopped.load(std::memory_order_acquire)) {
    try {
      co_await wake.async_receive(use_task);
    } catch (const cancelled_error& e) {
      forward(e.message());
      cancellation = std::current_exception();
    } catch (...) {
      forward({});
      if (!is_cancellation(std::current_exception())) throw;
      cancellation = std::current_exception();
    }
  }
  thread.join();
  if (failure) std::rethrow_exception(failure);
  if (cancellation) std::rethrow_exception(cancellation);
}

}  // namespace taskio
