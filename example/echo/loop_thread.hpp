//
// example/echo/loop_thread.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A taskio loop on a thread of its own, awaited from another loop: how the
// echo examples serve on several loops (serve_on_threads, multicore_echo)
// and run the demo's server beside its load client.

#ifndef TASKIO_EXAMPLE_ECHO_LOOP_THREAD_HPP
#define TASKIO_EXAMPLE_ECHO_LOOP_THREAD_HPP

#include <taskio/run.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <string>

namespace echo {

/// A taskio loop on a thread of its own (single use). Create its sockets
/// with get_executor() before run(), then co_await run(main).
class loop_thread {
public:
  boost::asio::io_context::executor_type get_executor() { return runner_.get_executor(); }

  /// Runs `main` as the main task of this loop, on a new thread, and waits
  /// for it; rethrows its exception.
  ///
  /// Cancellation: cancelling the caller cancels `main` (on its own thread)
  /// and keeps waiting until the loop has stopped; then the cancellation
  /// propagates. No loop outlives its awaiter.
  boost::asio::awaitable<void> run(boost::asio::awaitable<void> main, std::string name = {});

private:
  taskio::runner runner_{taskio::run_options{.handle_signals = false}};
};

}  // namespace echo

#endif  // TASKIO_EXAMPLE_ECHO_LOOP_THREAD_HPP
