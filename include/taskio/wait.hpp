//
// taskio/wait.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.wait: wait until some or all of a set of tasks (or futures) are
// done, without touching them.
//
//   auto [done, pending] = co_await taskio::wait(tasks, {.timeout = 5s,
//       .return_when = taskio::return_when::first_completed});
//
// wait() never raises timeout_error, never cancels a child and never
// retrieves a child's result: it only reports which members are done. Both
// lists keep the input order; duplicates collapse into one entry.
//
// Lifetime: the children run on their own (the loop owns every task); wait
// only registers on them and unregisters when it returns.
// Cancellation: always a cancellation point (it suspends at least once, even
// when every member is already done). Cancelling the waiting task raises
// cancelled_error in it and leaves the children running.
// Thread safety: call it from a task whose executor the children share (on a
// multi-threaded io_context: the same strand).

#ifndef TASKIO_WAIT_HPP
#define TASKIO_WAIT_HPP

#include <taskio/clock.hpp>
#include <taskio/config.hpp>
#include <taskio/detail/watcher.hpp>
#include <taskio/future.hpp>
#include <taskio/task.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace taskio {

/// When wait() returns (asyncio's FIRST_COMPLETED, FIRST_EXCEPTION,
/// ALL_COMPLETED).
enum class return_when {
  first_completed,  ///< as soon as any member is done (cancelled included)
  first_exception,  ///< as soon as a member fails with an exception (a
                    ///< cancelled member does not count), else all_completed
  all_completed     ///< when every member is done
};

struct wait_options {
  /// Return (with the members still pending) once this much time passed
  /// (any std::chrono::duration; negative: zero). Nothing is cancelled and
  /// no timeout_error is raised.
  std::optional<any_delay> timeout = std::nullopt;
  taskio::return_when return_when = taskio::return_when::all_completed;
};

/// wait()'s result: the members that are done and those still pending, each
/// in input order, duplicates collapsed. Use a structured binding:
/// `auto [done, pending] = co_await taskio::wait(...)`.
template <class Handle>
struct basic_wait_result {
  std::vector<Handle> done;
  std::vector<Handle> pending;
};

template <class T>
using wait_result = basic_wait_result<task<T>>;

/// Waits until the members of `fs` (tasks, futures, or task_refs) satisfy
/// `opts.return_when`, or until `opts.timeout` passed; returns {done,
/// pending}, computed after waking by testing done() on every member (so
/// `done` may hold more than the member that woke it).
///
/// Cancellation: a cancellation point; cancelling the waiting task leaves the
/// children running.
/// Exceptions: std::invalid_argument "Set of Tasks/Futures is empty." for an
/// empty `fs`, "Invalid return_when value" for a value outside the enum,
/// a NaN, infinite or too large timeout (any_delay); std::logic_error for
/// an empty task handle. Never
/// timeout_error, never a child's exception (with first_exception, the
/// exception of a child that fails while wait() is waiting is marked
/// retrieved, as asyncio's check does).
template <detail::watchable_handle Handle>
boost::asio::awaitable<basic_wait_result<Handle>> wait(std::vector<Handle> fs, wait_options opts = {});

// ---- implementation ----

namespace detail {

/// wait()'s state: releases its awaiter according to return_when.
class TASKIO_DECL wait_state final : public watcher {
public:
  /// Checks the arguments (std::invalid_argument), watches, arms the timeout.
  wait_state(std::span<future_state_base* const> fs, const wait_options& opts);

  /// Waits for the state to be released; unwatches whatever the outcome.
  static boost::asio::awaitable<void> wait(ref_ptr<wait_state> self);

private:
  void on_child_done(std::size_t i) override;
  void on_timeout() override;

  taskio::return_when mode_;
  std::size_t remaining_;
};

}  // namespace detail

template <detail::watchable_handle Handle>
boost::asio::awaitable<basic_wait_result<Handle>> wait(std::vector<Handle> fs, wait_options opts) {
  detail::ref_ptr<detail::wait_state> st(new detail::wait_state(detail::states_of(fs), opts));
  co_await detail::wait_state::wait(st);
  basic_wait_result<Handle> r;
  for (std::size_t i = 0; i < st->size(); ++i)
    (st->child(i).done() ? r.done : r.pending).push_back(detail::handle_traits<Handle>::from_state(st->child(i)));
  co_return r;
}

}  // namespace taskio

#endif  // TASKIO_WAIT_HPP
