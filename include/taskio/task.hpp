//
// taskio/task.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::task<T>: asyncio.Task. A copyable shared handle to a coroutine
// running as an independent task on a loop (see create_task). The loop owns
// the task until it is done; dropping every handle does not stop it.
//
// A task is a future: done(), cancelled(), result(), exception(), done
// callbacks. cancel(msg) requests one cancelled_error inside the coroutine
// at its current (or next) suspension point; cancelling() counts the
// requests and uncancel() withdraws one (doc/semantics.md 3.3-3.5, Task cancellation;
// doc/cancellation.md).
//
// Thread safety: a task's methods must be called on the executor the task
// runs on (the loop thread, or its strand). From another thread use
// cancel_threadsafe() or run_coroutine_threadsafe().

#ifndef TASKIO_TASK_HPP
#define TASKIO_TASK_HPP

#include <taskio/config.hpp>
#include <taskio/context.hpp>
#include <taskio/detail/access.hpp>
#include <taskio/detail/task_state.hpp>
#include <taskio/detail/wait_op.hpp>
#include <taskio/exceptions.hpp>

#include <boost/asio/use_awaitable.hpp>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace taskio {

template <class T>
class task;

/// A type-erased task handle: every task<T> converts to it. Empty when
/// default-constructed (current_task() outside a task returns one).
class TASKIO_DECL task_ref {
public:
  task_ref() noexcept = default;

  explicit operator bool() const noexcept { return static_cast<bool>(s_); }

  /// Requests cancellation: false if the task is already done. The message
  /// reaches whoever retrieves the cancelled_error.
  /// Thread safety: on the task's executor only (see cancel_threadsafe).
  bool cancel(std::string msg = {}) const;
  /// Posts cancel(msg) to the task's executor; callable from any thread.
  void cancel_threadsafe(std::string msg = {}) const;
  bool cancelled() const;
  bool done() const;
  /// The task's exception (null if it succeeded). invalid_state_error while
  /// pending, cancelled_error if cancelled. Marks the exception retrieved.
  std::exception_ptr exception() const;
  /// Withdraws one cancellation request; returns the remaining count.
  /// At 0 a request not yet delivered is withdrawn too.
  int uncancel() const;
  /// The number of outstanding cancellation requests.
  int cancelling() const;

  std::string get_name() const;
  void set_name(std::string name) const;
  /// The context the task runs in (asyncio Task.get_context()): a copy of
  /// its creator's context, or the one given in task_options::context.
  taskio::context get_context() const;

  /// Schedules f(const task_ref&) through the loop once the task is done (at
  /// once, if it already is), in a copy of the context current now. Returns
  /// an id for remove_done_callback.
  template <class F>
  callback_id add_done_callback(F f) const;
  /// Unregisters a callback not yet scheduled; returns how many were removed.
  std::size_t remove_done_callback(callback_id id) const;

  /// Pending: the coroutine frames of the task's chain, innermost first
  /// (doc/introspection.md, "Call stacks"), or, before its first step, one
  /// frame: where it was created. Failed: that frame. None once it
  /// succeeded or was cancelled. `limit` keeps the outermost frames of a
  /// stack, the first of a traceback.
  std::vector<frame_info> get_stack(std::optional<std::size_t> limit = {}) const;
  /// "Stack for <task> (most recent call last):", "Traceback for <task> ...:"
  /// (failed) or "No stack for <task>", then the frames.
  void print_stack(std::ostream& os = std::cout, std::optional<std::size_t> limit = {}) const;
  /// "<Task pending name='Task-1'>" and the like.
  std::string repr() const;

  friend bool operator==(const task_ref& a, const task_ref& b) noexcept { return a.s_ == b.s_; }

private:
  friend struct detail::access;
  template <class T>
  friend class task;  // the typed handle reaches the same state
  explicit task_ref(detail::ref_ptr<detail::task_state_base> s) noexcept : s_(std::move(s)) {}
  detail::task_state_base* state() const;

  detail::ref_ptr<detail::task_state_base> s_;
};

TASKIO_DECL std::ostream& operator<<(std::ostream& os, const task_ref& t);

template <class T>
class task : public task_ref {
public:
  using value_type = T;

  task() noexcept = default;

  /// The task's value. invalid_state_error while pending; cancelled_error if
  /// cancelled; the task's exception if it failed.
  ///
  /// Results of any movable type: a copyable T is copied to every caller
  /// and awaiter. A move-only T (std::unique_ptr, a socket) is moved out by
  /// the first retrieval (result(), async_wait, or a combinator such as
  /// gather or shield that consumes the task); any later retrieval throws
  /// invalid_state_error ("the move-only result was already taken"), never
  /// a moved-from object.
  T result() const;

  /// Waits for the task to finish: any Asio completion token with signature
  /// void(std::exception_ptr, T) (void(std::exception_ptr) for void; for a T
  /// without a default constructor void(std::exception_ptr,
  /// std::optional<T>), empty on failure, since a failed wait has no T).
  /// `co_await t.async_wait()` inside an asio::awaitable returns the result
  /// (the T itself, for every T) or rethrows the task's exception. The
  /// value is retrieved as result() does (a move-only value once).
  ///
  /// Cancellation: cancelling the awaiting task (or emitting on the token's
  /// cancellation slot) cancels the awaited task; the awaiter keeps waiting
  /// for its outcome (asyncio semantics; use shield() to protect it).
  /// Awaiting a task that is already done completes in the next iteration
  /// and is not a cancellation point. Awaiting a task from itself fails with
  /// std::runtime_error "Task cannot await on itself".
  template <class CompletionToken = boost::asio::use_awaitable_t<>>
  auto async_wait(CompletionToken&& token = {}) const;

  /// Schedules f(const task<T>&) once the task is done, in a copy of the
  /// context current now.
  template <class F>
  callback_id add_done_callback(F f) const;

private:
  friend struct detail::access;
  explicit task(detail::ref_ptr<detail::task_state<T>> s) noexcept : task_ref(std::move(s)) {}
  detail::task_state<T>* state() const { return static_cast<detail::task_state<T>*>(task_ref::state()); }
};

// ---- implementation ----

template <class F>
callback_id task_ref::add_done_callback(F f) const {
  return state()->add_done_callback(detail::bind_context_copy([f = std::move(f)](detail::future_state_base& s) mutable {
    f(detail::access::make<task_ref>(static_cast<detail::task_state_base*>(&s)));
  }));
}

template <class T>
T task<T>::result() const {
  auto* s = state();
  s->check_result("taskio::task::result");
  if constexpr (!std::is_void_v<T>) return s->take_value("taskio::task::result");
}

template <class T>
template <class CompletionToken>
auto task<T>::async_wait(CompletionToken&& token) const {
  return detail::async_wait<T>(detail::ref_ptr<detail::task_state<T>>(state()), std::forward<CompletionToken>(token));
}

template <class T>
template <class F>
callback_id task<T>::add_done_callback(F f) const {
  return state()->add_done_callback(detail::bind_context_copy([f = std::move(f)](detail::future_state_base& s) mutable {
    f(detail::access::make<task<T>>(static_cast<detail::task_state<T>*>(&s)));
  }));
}

}  // namespace taskio

#endif  // TASKIO_TASK_HPP
