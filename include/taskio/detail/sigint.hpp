//
// taskio/detail/sigint.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.Runner's Ctrl-C handling (SEMANTICS.md, Ctrl-C), used by
// taskio::run / runner while main runs: the first SIGINT cancels main, a
// second one throws keyboard_interrupt out of the loop at once. Only on the
// process's main thread, and only when SIGINT has its default disposition
// (not ignored, no handler of someone else's); the previous disposition is
// restored afterwards.
//
// Cost: asio::signal_set registers a pipe with Asio's reactor, and a running
// reactor makes the io_context call epoll_wait(0) once per handler whenever
// handlers are queued one at a time (two system calls per create + await in a
// program without I/O). So while the loop is busy, SIGINT only sets a flag
// (loop::interrupt_requested) that the driver polls between rounds of
// handlers and that tasks' steps notice (loop::drive_hooks); the signal_set,
// which can wake a blocked loop, is armed the first time the loop has nothing
// ready (a program with timers or sockets has the reactor running by then
// anyway). No thread is started: a second thread would cost single-threaded
// programs glibc's and libstdc++'s single-thread fast paths.

#ifndef TASKIO_DETAIL_SIGINT_HPP
#define TASKIO_DETAIL_SIGINT_HPP

#include <taskio/config.hpp>
#include <taskio/detail/loop.hpp>
#include <taskio/task.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <optional>

namespace taskio::detail {

class TASKIO_DECL sigint_guard final : public loop::drive_hooks {
public:
  /// Starts handling SIGINT for `main`, running on `io`, if this is the main
  /// thread and SIGINT has its default disposition; otherwise does nothing.
  sigint_guard(boost::asio::io_context& io, const task_ref& main);
  /// Restores the previous disposition. Interrupts not yet delivered are
  /// dropped.
  ~sigint_guard();
  sigint_guard(const sigint_guard&) = delete;
  sigint_guard& operator=(const sigint_guard&) = delete;

  /// Whether SIGINT is handled (main thread, default disposition).
  bool active() const noexcept { return active_; }
  /// The SIGINTs delivered to the loop so far.
  int interrupts() const noexcept { return interrupts_; }

  // loop::drive_hooks
  void poll() override;
  void idle() override;
  bool armed() const noexcept override { return !active_ || signals_.has_value(); }

private:
  void deliver();
  void wait();

  boost::asio::io_context& io_;
  task_ref main_;
  bool active_ = false;
  int interrupts_ = 0;
  std::optional<boost::asio::signal_set> signals_;
  struct sigaction previous_ {};
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_SIGINT_HPP
