//
// taskio/detail/sigint.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.Runner's Ctrl-C handling (SEMANTICS.md, Ctrl-C), used by
// taskio::run / runner while main runs: the first SIGINT cancels main, a
// second one throws keyboard_interrupt out of the loop at once.
//
// Only on the process's main thread, and only when SIGINT has its default
// disposition (not ignored, no handler of someone else's); the previous
// disposition is restored afterwards.
//
// It does not use asio::signal_set: that registers a pipe with Asio's reactor,
// and a running reactor makes the io_context call epoll_wait once per handler
// whenever handlers are queued one at a time (a program without I/O then
// pays two system calls per create + await). Instead the signal handler
// writes a byte to a pipe that one process-wide thread reads; that thread
// posts the interrupt to the loop. A work guard keeps the loop running while
// main waits for something no handler is queued for yet (as signal_set's
// pending wait did).

#ifndef TASKIO_DETAIL_SIGINT_HPP
#define TASKIO_DETAIL_SIGINT_HPP

#include <taskio/config.hpp>
#include <taskio/task.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>

namespace taskio::detail {

class TASKIO_DECL sigint_guard {
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
  bool active() const noexcept { return control_ != nullptr; }
  /// The SIGINTs delivered to the loop so far.
  int interrupts() const noexcept;

  struct control;

private:
  std::shared_ptr<control> control_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_SIGINT_HPP
