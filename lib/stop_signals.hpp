//
// lib/stop_signals.hpp (private to the library, not installed)
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.Runner's Ctrl-C handling, extended to every signal named in
// run_options::stop_signals (SIGINT by default; servers add SIGTERM), used by
// taskio::run / runner / run_main while main runs:
//  * the first stop signal cancels main; if main ends cancelled by it, run()
//    throws keyboard_interrupt (SIGINT) or system_exit(128 + signo) (others);
//  * a second stop signal throws the same out of the loop at once (a second
//    Ctrl-C interrupts a program whose shutdown hangs).
// Only on the process's main thread, and only for signals that have their
// default disposition (not ignored, no handler of someone else's); the
// previous dispositions are restored afterwards. Signals not listed keep
// theirs.
//
// Cost: asio::signal_set registers a pipe with Asio's reactor, and a running
// reactor makes the io_context call epoll_wait(0) once per handler whenever
// handlers are queued one at a time (two system calls per create + await in a
// program without I/O). So while the loop is busy, a stop signal only sets a
// flag (driver::interrupt_requested) that the driver polls between rounds of
// handlers and that tasks' steps notice (driver::hooks); the signal_set,
// which can wake a blocked loop, is armed the first time the loop has nothing
// ready (a program with timers or sockets has the reactor running by then
// anyway). No thread is started: a second thread would cost single-threaded
// programs glibc's and libstdc++'s single-thread fast paths.

#ifndef TASKIO_LIB_STOP_SIGNALS_HPP
#define TASKIO_LIB_STOP_SIGNALS_HPP

#include <taskio/config.hpp>
#include <taskio/detail/loop.hpp>

#include "driver.hpp"
#include <taskio/task.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <optional>
#include <vector>

namespace taskio::detail {

class stop_signal_guard final : public driver::hooks {
public:
  /// Starts handling `signals` for `main`, running on `io`, if this is the
  /// main thread; each signal only if it has its default disposition.
  /// std::invalid_argument for a number that is not a signal, or one that
  /// cannot be caught (SIGKILL, SIGSTOP).
  stop_signal_guard(boost::asio::io_context& io, const task_ref& main, const std::vector<int>& signals);
  /// Restores the previous dispositions. Signals not yet delivered are
  /// dropped.
  ~stop_signal_guard();
  stop_signal_guard(const stop_signal_guard&) = delete;
  stop_signal_guard& operator=(const stop_signal_guard&) = delete;

  /// Whether any signal is handled.
  bool active() const noexcept { return !handled_.empty(); }
  /// The first stop signal delivered to the loop (0: none).
  int first_signal() const noexcept { return first_; }

  /// What a stop signal ends the loop with: keyboard_interrupt for SIGINT,
  /// system_exit(128 + signo) otherwise.
  [[noreturn]] static void raise_stop(int signo);

  // driver::hooks
  void poll() override;
  void idle() override;
  bool armed() const noexcept override { return !active() || signals_.has_value(); }

private:
  struct handled {
    int signo;
    struct sigaction previous;
  };
  void deliver(int signo);
  void wait();

  boost::asio::io_context& io_;
  task_ref main_;
  std::vector<handled> handled_;
  int first_ = 0;
  int deliveries_ = 0;
  std::optional<boost::asio::signal_set> signals_;
};

}  // namespace taskio::detail

#endif  // TASKIO_LIB_STOP_SIGNALS_HPP
