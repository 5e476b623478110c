//
// taskio/exceptions.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio's exception names. cancelled_error, keyboard_interrupt and
// system_exit deliberately do NOT derive from std::exception (Python's
// BaseException split): `catch (const std::exception&)` in user code must not
// swallow a cancellation or a request to stop the program.

#ifndef TASKIO_EXCEPTIONS_HPP
#define TASKIO_EXCEPTIONS_HPP

#include <taskio/config.hpp>

#include <exception>
#include <stdexcept>
#include <string>

namespace taskio {

/// asyncio.CancelledError: raised inside a task when it is cancelled, and by
/// result()/exception()/awaiting of a cancelled task or future. Carries the
/// message given to cancel(msg) on every retrieval.
class TASKIO_DECL cancelled_error {
public:
  cancelled_error() = default;
  explicit cancelled_error(std::string msg) : msg_(std::move(msg)) {}
  virtual ~cancelled_error() = default;

  /// The message passed to cancel(msg); empty when none was given.
  const std::string& message() const noexcept { return msg_; }
  /// "cancelled" or "cancelled: <message>".
  virtual const char* what() const noexcept;

private:
  std::string msg_;
  mutable std::string what_;
};

/// asyncio.TimeoutError (Python's builtin TimeoutError). A timeout_error
/// raised by a timeout scope or wait_for carries the cancellation it replaced
/// as a nested exception (std::throw_with_nested).
class TASKIO_DECL timeout_error : public std::runtime_error {
public:
  timeout_error() : std::runtime_error("timeout") {}
  explicit timeout_error(const std::string& what) : std::runtime_error(what) {}
};

/// asyncio.InvalidStateError: an operation not allowed in the future's state,
/// e.g. result() of a pending task or set_result() on a finished future.
class TASKIO_DECL invalid_state_error : public std::logic_error {
public:
  explicit invalid_state_error(const std::string& what) : std::logic_error(what) {}
};

/// A "fatal" exception kind (Python's BaseException subclasses that asyncio
/// treats specially): task groups re-raise it alone, run() propagates it.
class TASKIO_DECL fatal_error {
public:
  virtual ~fatal_error() = default;
  virtual const char* what() const noexcept = 0;
};

/// KeyboardInterrupt: taskio::run turns SIGINT into this exception in main.
class TASKIO_DECL keyboard_interrupt : public fatal_error {
public:
  const char* what() const noexcept override { return "keyboard interrupt"; }
};

/// SystemExit(code).
class TASKIO_DECL system_exit : public fatal_error {
public:
  explicit system_exit(int code = 0) : code_(code) {}
  int code() const noexcept { return code_; }
  const char* what() const noexcept override { return "system exit"; }

private:
  int code_;
};

/// True when `e` is a cancellation: a taskio::cancelled_error, or Asio's
/// operation_aborted / channel_cancelled raised by an operation that a
/// taskio cancellation of the current task aborted (awaited with plain
/// use_awaitable; taskio::use_task raises cancelled_error instead, and every
/// taskio boundary converts it; see doc/cancellation.md section 6).
TASKIO_DECL bool is_cancellation(const std::exception_ptr& e) noexcept;

namespace detail {
/// True when `e` is the error an Asio operation fails with when a
/// cancellation aborts it (operation_aborted, or a channel's
/// channel_cancelled).
TASKIO_DECL bool is_aborted_operation(const std::exception_ptr& e) noexcept;
}  // namespace detail

/// True when `e` is a keyboard_interrupt or system_exit.
TASKIO_DECL bool is_fatal(const std::exception_ptr& e) noexcept;

/// A one-line description of any exception: its what() (or "cancelled: msg",
/// or "unknown exception"). Used by logging and print_stack.
TASKIO_DECL std::string describe_exception(const std::exception_ptr& e);

}  // namespace taskio

#endif  // TASKIO_EXCEPTIONS_HPP
