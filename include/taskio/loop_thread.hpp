//
// taskio/loop_thread.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::loop_thread: a taskio loop on a thread of its own, awaited from
// another loop. How a program serves on several loops (one per core), or
// runs a server beside its load client in one process.
//
//   taskio::loop_thread other;
//   tcp::acceptor a(other.get_executor(), endpoint);      // before run()
//   co_await other.run(serve(std::move(a)), "server");    // on a new thread
//
// run(main) creates `main` as a task on the loop_thread's own loop (a
// taskio::runner without signal handling), runs that loop on a new thread
// until the task is done, closes it (runner::close: the remaining tasks are
// cancelled and awaited, the to_thread pool joined) and joins the thread;
// then it returns main's value or rethrows main's exception. The objects
// main uses (sockets, timers, channels) are created with get_executor(),
// before run(), and moved into it: main's loop is the only thread that
// touches them afterwards.
//
// Single use: one run() per loop_thread (a second one throws
// std::logic_error). Objects created with get_executor() must not outlive
// the loop_thread (they belong to its io_context).
//
// Cancellation: cancelling the awaiting task cancels `main` on its own
// thread (with the same message) and keeps waiting until that loop has
// stopped and its thread is joined; then the cancellation propagates (even
// if main handled it). No loop outlives its awaiter.
// Thread safety: get_executor() and run() belong to the awaiting side (one
// thread, or its strand); the loop_thread outlives the run() awaiting it.

#ifndef TASKIO_LOOP_THREAD_HPP
#define TASKIO_LOOP_THREAD_HPP

#include <taskio/config.hpp>
#include <taskio/create_task.hpp>
#include <taskio/run.hpp>
#include <taskio/task.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <string>
#include <utility>

namespace taskio {

/// A taskio loop on a thread of its own, awaitable from another loop
/// (single use). Create what `main` uses with get_executor() before run(),
/// then `co_await run(main)`.
class TASKIO_DECL loop_thread {
public:
  loop_thread();
  ~loop_thread();
  loop_thread(const loop_thread&) = delete;
  loop_thread& operator=(const loop_thread&) = delete;

  /// The executor of this loop: for the sockets, timers and channels that
  /// `main` will use.
  boost::asio::io_context::executor_type get_executor();

  /// Runs `main` as the main task (named `name`) of this loop, on a new
  /// thread, and waits until the loop has stopped; returns main's value.
  ///
  /// Exceptions: main's exception; the loop's own failure (e.g. the
  /// runner's std::runtime_error "taskio: deadlock: ..." when nothing on
  /// that loop can finish main), which takes precedence; std::logic_error
  /// "taskio::loop_thread::run: called twice (a loop_thread runs one main
  /// task)" on a second call.
  /// Cancellation: cancelling the awaiting task cancels main (message
  /// included) on its thread and waits for the loop to stop; then the
  /// cancellation propagates.
  template <class T>
  boost::asio::awaitable<T> run(boost::asio::awaitable<T> main, std::string name);
  /// run(main, name) with the default task name ("Task-N").
  template <class T>
  boost::asio::awaitable<T> run(boost::asio::awaitable<T> main) {
    return run(std::move(main), std::string());
  }

private:
  void start(const char* who);
  boost::asio::awaitable<void> run_until_done(task_ref main);

  runner runner_;
  bool started_ = false;
};

// ---- implementation ----

template <class T>
boost::asio::awaitable<T> loop_thread::run(boost::asio::awaitable<T> main, std::string name) {
  start("taskio::loop_thread::run");
  task<T> t = create_task(get_executor(), std::move(main), std::move(name));
  task_ref ref = t;
  co_await run_until_done(ref);
  co_return t.result();
}

}  // namespace taskio

#endif  // TASKIO_LOOP_THREAD_HPP
