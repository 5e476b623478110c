//
// taskio/run.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.run / asyncio.Runner. (The loop clock and loop callbacks are in
// loop_callbacks.hpp, included here.)
//
// taskio::run(main) creates a fresh loop (an io_context run on this thread),
// runs `main` as a task until it is done, then shuts down: every task still
// pending is cancelled and awaited, the to_thread pool is joined while the
// loop still runs (a pool thread may still submit a coroutine with
// run_coroutine_threadsafe and wait for it; to_thread refuses new calls),
// the tasks submitted meanwhile are cancelled and awaited, the loop is closed
// to other threads (run_coroutine_threadsafe futures still pending fail with
// std::runtime_error "Event loop is closed", later submissions fail at once)
// and destroyed. It returns main's value or rethrows main's exception.
//
// Stop signals (run_options::stop_signals, {SIGINT} by default; only with
// handle_signals): the first one cancels main (with no message for SIGINT,
// with the signal's name, e.g. "SIGTERM", for others). If main ends
// cancelled by it, run() throws keyboard_interrupt (SIGINT) or
// system_exit(128 + signo) (others); if main handled the cancellation, run()
// returns its value. A second stop signal throws the same out of the loop at
// once. As asyncio.Runner: only on the process's main thread, and only for
// signals with their default disposition (the previous one is restored).
//
// taskio::run_main(main) is run() for a program's main(): it returns the
// process exit status instead of throwing (see below).

#ifndef TASKIO_RUN_HPP
#define TASKIO_RUN_HPP

#include <taskio/clock.hpp>
#include <taskio/config.hpp>
#include <taskio/create_task.hpp>
#include <taskio/loop_callbacks.hpp>
#include <taskio/task.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <csignal>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

namespace taskio {

struct run_options {
  bool debug = false;            ///< asyncio debug mode: warn about slow steps
  bool virtual_time = false;     ///< the clock jumps to the next deadline when idle
  bool handle_signals = true;    ///< SIGINT -> cancel main -> keyboard_interrupt
  std::size_t threads = 0;       ///< to_thread pool size, 0 = hardware concurrency
  /// In debug mode, a step running longer than this is logged (warning).
  std::chrono::nanoseconds slow_callback_duration = std::chrono::milliseconds(100);
  /// Eager start for every task created while the loop runs (asyncio's
  /// eager_task_factory): the first step runs inside create_task. A task's
  /// task_options::eager_start overrides it. See task_options.hpp.
  bool eager_tasks = false;
  /// The signals that cancel main (with handle_signals), e.g.
  /// {SIGINT, SIGTERM} for a server run by systemd or in a container. A
  /// number that is not a catchable signal: std::invalid_argument from run().
  std::vector<int> stop_signals = {SIGINT};
  /// A signal (e.g. SIGUSR1) that, each time it arrives while main runs,
  /// writes dump_tasks(dump_format::tree) to the log (channel "taskio",
  /// severity info; taskio installs no sink) and lets the loop go on:
  /// `kill -USR1 <pid>` shows every task of a live process and what it
  /// awaits. 0: none. Independent of handle_signals. Costs nothing when 0;
  /// when set, Asio's reactor runs (an asio::signal_set), as with any
  /// socket. std::invalid_argument from run() for a number that is not a
  /// catchable signal, or one of stop_signals (with handle_signals).
  int dump_tasks_signal = 0;
  /// In debug mode, a task group waiting for its children, or a timeout
  /// scope's block, still waiting after this long is logged (warning,
  /// once per wait) with the waiting task and what it still awaits.
  std::chrono::nanoseconds slow_wait_duration = std::chrono::seconds(10);
};

/// asyncio.Runner: one loop, several run() calls, then close().
class TASKIO_DECL runner {
public:
  runner();
  explicit runner(run_options opts);
  ~runner();
  runner(const runner&) = delete;
  runner& operator=(const runner&) = delete;

  /// Runs `main` as a task on this runner's loop until it is done.
  /// std::runtime_error "Runner.run() cannot be called from a running event
  /// loop" / "Runner is closed".
  /// `main` runs in the runner's context (asyncio Runner): a copy of the
  /// context current at the first run(), kept across run() calls, so what
  /// one run's main sets, the next run's main sees.
  template <class T>
  T run(boost::asio::awaitable<T> main);

  /// Runs `main` in `ctx` (asyncio Runner.run(coro, context=)).
  template <class T>
  T run(boost::asio::awaitable<T> main, taskio::context ctx);

  /// Cancels and awaits the remaining tasks, runs the callbacks their ends
  /// scheduled (done callbacks), joins the to_thread pool while the loop
  /// runs, cancels and awaits the tasks submitted meanwhile, closes the loop
  /// to other threads and destroys it (see the header comment). Idempotent.
  void close();

  boost::asio::io_context::executor_type get_executor();
  boost::asio::io_context& context();

private:
  void prepare(const char* who);
  void drive(const task_ref& main);

  run_options opts_;
  std::optional<taskio::context> context_;  // set by the first run()
  std::unique_ptr<boost::asio::io_context> io_;
  bool closed_ = false;
};

/// asyncio.run.
template <class T>
T run(boost::asio::awaitable<T> main, run_options opts = {});

/// asyncio.run for a program's main(): `int main() { return taskio::run_main(app()); }`.
/// Runs `main` as run() does and returns the process exit status:
///  * main's value (0 for the void overload) when it returns, also after it
///    caught a stop signal's cancellation;
///  * 130 on keyboard_interrupt (Ctrl-C, a second Ctrl-C included);
///  * 128 + signo when another stop signal ended it (SIGTERM: 143);
///  * the code of a taskio::system_exit that main threw;
///  * 1 after writing a line to stderr ("taskio::run_main: ...") when main
///    ended with any other exception, or cancelled by something else than
///    a stop signal.
/// Exceptions from run()'s own misuse checks (e.g. called inside a running
/// loop) are reported the same way (1). Never throws.
TASKIO_DECL int run_main(boost::asio::awaitable<int> main, run_options opts = {}) noexcept;
TASKIO_DECL int run_main(boost::asio::awaitable<void> main, run_options opts = {}) noexcept;

// ---- implementation ----

template <class T>
T runner::run(boost::asio::awaitable<T> main) {
  prepare("taskio::runner::run");
  return run(std::move(main), *context_);
}

template <class T>
T runner::run(boost::asio::awaitable<T> main, taskio::context ctx) {
  prepare("taskio::runner::run");
  task<T> t = create_task(get_executor(), std::move(main), task_options{.name = {}, .context = std::move(ctx)});
  drive(t);
  return t.result();
}

template <class T>
T run(boost::asio::awaitable<T> main, run_options opts) {
  runner r(std::move(opts));
  if constexpr (std::is_void_v<T>) {
    r.run(std::move(main));
    r.close();
  } else {
    T v = r.run(std::move(main));
    r.close();
    return v;
  }
}

}  // namespace taskio

#endif  // TASKIO_RUN_HPP
