//
// taskio/timeout.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::timeout_scope: asyncio.Timeout, a deadline around a block of code,
// used as an async context manager:
//
//   co_await taskio::async_with(taskio::timeout(10s), [&](taskio::timeout_scope& cm)
//       -> asio::awaitable<void> { co_await long_running_work(); });   // timeout_error
//
// States: created -> (aenter) entered -> (aexit) exited, or, once the
// deadline passes while entered, expiring -> (aexit) expired.
//
// Lifetime: a scope is single use. It may be moved before it is entered
// (timeout() returns one by value); once entered it stays where it is until
// it is exited (async_with keeps it in its frame, or the caller keeps an
// lvalue scope and may inspect expired() afterwards).
//
// Cancellation: when the deadline passes, the handler cancels the task that
// entered the scope, once and with no message (count +1). The handler runs
// on that task's executor (its strand, on an io_context run by several
// threads), never concurrently with the task's steps; a deadline that comes
// due after the scope exited does nothing. At exit the scope
// withdraws its request (uncancel) and, if the count is then back to the
// value it had at entry and the block ended with a cancellation, raises
// timeout_error instead. A cancellation requested by anybody else keeps
// propagating unchanged (see doc/cancellation.md for the count protocol).
//
// Exceptions: timeout_error (with the cancellation nested), the misuse
// errors below (std::runtime_error with asyncio's phrases), and whatever
// the block raised.
//
// Thread safety: use a scope on the executor of the task that entered it.

#ifndef TASKIO_TIMEOUT_HPP
#define TASKIO_TIMEOUT_HPP

#include <taskio/async_with.hpp>
#include <taskio/clock.hpp>
#include <taskio/config.hpp>
#include <taskio/loop_callbacks.hpp>
#include <taskio/task.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <ostream>
#include <string>

namespace taskio {

class TASKIO_DECL timeout_scope {
public:
  /// A scope with an absolute deadline on the loop clock (none: no deadline
  /// until reschedule() sets one). Needs no running loop.
  explicit timeout_scope(std::optional<clock::time_point> when) noexcept : when_(when) {}

  /// Only a scope that has not been entered can move: std::logic_error
  /// otherwise (the deadline handler refers to the scope).
  timeout_scope(timeout_scope&& other);
  timeout_scope& operator=(timeout_scope&& other);
  timeout_scope(const timeout_scope&) = delete;
  timeout_scope& operator=(const timeout_scope&) = delete;
  /// Disarms the deadline if the scope is destroyed without being exited.
  ~timeout_scope();

  /// The current deadline, in every state.
  std::optional<clock::time_point> when() const noexcept { return when_; }

  /// Changes the deadline of an entered scope; may be called from another
  /// task of the same loop. A deadline at or before loop_time() fires in
  /// the next loop iteration (call_soon); none disarms the scope.
  ///
  /// Cancellation: not a suspension; a deadline that passes while the scope
  /// is entered cancels the task that entered it.
  /// Exceptions: std::runtime_error "Timeout has not been entered" before
  /// entry, "Cannot change state of <expiring|expired|finished> Timeout"
  /// afterwards.
  void reschedule(std::optional<clock::time_point> when);

  /// True once the deadline fired (states expiring and expired), even if
  /// the block swallowed the cancellation or ended without error.
  bool expired() const noexcept { return state_ == state::expiring || state_ == state::expired; }

  /// "<Timeout [active] when=1.5>" while entered (seconds of loop time,
  /// rounded to 3 decimals, or None), else "<Timeout [created|expiring|
  /// expired|finished]>".
  std::string repr() const;

  /// __aenter__: records the current task and its cancelling() count (the
  /// baseline), then arms the deadline. Not a cancellation point.
  ///
  /// Exceptions: std::runtime_error "Timeout has already been entered"
  /// (also for a scope used before), "Timeout should be used inside a task"
  /// (also from a plain coroutine running inside a task's step; the scope
  /// then stays unentered and no task is touched).
  boost::asio::awaitable<void> aenter();

  /// __aexit__: disarms the deadline. If it fired: uncancel() (always, so
  /// the count is balanced even when the block swallowed the cancellation),
  /// and if the count is back to the baseline and `e` is a cancellation
  /// (is_cancellation: cancelled_error, or operation_aborted of a raw Asio
  /// operation the deadline aborted), throws timeout_error with that
  /// cancellation nested (a cancelled_error). Any other exception of the
  /// block propagates unchanged, also when the deadline fired. Never
  /// suppresses (returns false). Not a cancellation point.
  ///
  /// Exceptions: timeout_error; std::runtime_error "Timeout has not been
  /// entered" / "Cannot change state of <expired|finished> Timeout" when
  /// called out of turn.
  boost::asio::awaitable<bool> aexit(std::exception_ptr e);

private:
  enum class state : std::uint8_t { created, entered, expiring, expired, exited };
  static const char* name(state s) noexcept;
  void check_active(const char* who, bool allow_expiring) const;
  void on_deadline();

  std::optional<clock::time_point> when_;
  state state_ = state::created;
  task_ref task_;
  int baseline_ = 0;
  timer_handle timer_;
  timer_handle slow_;  // debug mode: the slow-wait warning (run_options::slow_wait_duration)
};

TASKIO_DECL std::ostream& operator<<(std::ostream& os, const timeout_scope& t);

/// asyncio.timeout(delay): a scope whose deadline is loop_time() + delay,
/// computed NOW (at the call, not at entry); no delay: no deadline. Any
/// std::chrono::duration; a zero or negative delay (asyncio: "already
/// expired") fires in the next loop iteration after entry.
///
/// Cancellation: none here; see timeout_scope.
/// Exceptions: std::runtime_error "no running event loop" outside a loop;
/// std::invalid_argument for a NaN, infinite or too large delay (any_delay).
TASKIO_DECL timeout_scope timeout(std::optional<any_delay> delay);

/// asyncio.timeout_at(when): a scope with an absolute deadline (loop clock);
/// a time point at or before loop_time() fires in the next iteration after
/// entry. No running loop needed.
///
/// Cancellation: none here; see timeout_scope. Exceptions: none.
TASKIO_DECL timeout_scope timeout_at(std::optional<clock::time_point> when);

/// Shorthand for async_with(timeout(delay), body awaiting `aw`): awaits `aw`
/// inline in the calling task with a deadline computed at the call.
///
/// Cancellation: a cancellation point exactly where `aw` is one. On expiry
/// `aw` is cancelled (whatever it awaits is cancelled and waited for).
/// Exceptions: timeout_error; `aw`'s exception; those of timeout(delay);
/// std::invalid_argument (at the call) for an empty `aw` (moved from).
template <class T>
boost::asio::awaitable<T> timeout(any_delay delay, boost::asio::awaitable<T> aw) {
  detail::require_valid(aw);
  return async_with(timeout(delay), [aw = std::move(aw)](timeout_scope&) mutable { return std::move(aw); });
}

namespace detail {
/// Throws timeout_error with `cancellation` nested (converted to a
/// cancelled_error when it is an aborted Asio operation).
[[noreturn]] TASKIO_DECL void throw_timeout_from(const std::exception_ptr& cancellation);
}  // namespace detail

}  // namespace taskio

#endif  // TASKIO_TIMEOUT_HPP
