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
//
// This header also holds detail::watcher, the child-watching core that
// gather and as_completed share with wait.

#ifndef TASKIO_WAIT_HPP
#define TASKIO_WAIT_HPP

#include <taskio/clock.hpp>
#include <taskio/config.hpp>
#include <taskio/detail/future_state.hpp>
#include <taskio/detail/loop.hpp>
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

namespace detail {

/// How the combinators get from a handle (task<T>, future<T>, task_ref) to
/// its kernel state and back.
template <class Handle>
struct handle_traits;

template <class T>
struct handle_traits<task<T>> {
  using value_type = T;
  static future_state_base* state(const task<T>& h) { return h.state(); }
  static task<T> from_state(future_state_base& s) {
    return task<T>(ref_ptr<task_state<T>>(static_cast<task_state<T>*>(&s)));
  }
};

template <class T>
struct handle_traits<future<T>> {
  using value_type = T;
  static future_state_base* state(const future<T>& h) { return h.state(); }
  static future<T> from_state(future_state_base& s) {
    return future<T>(ref_ptr<future_state<T>>(static_cast<future_state<T>*>(&s)));
  }
};

template <>
struct handle_traits<task_ref> {
  static future_state_base* state(const task_ref& h) { return h.state(); }
  static task_ref from_state(future_state_base& s) {
    return task_ref(ref_ptr<task_state_base>(static_cast<task_state_base*>(&s)));
  }
};

template <class Handle>
concept watchable_handle = requires(const Handle& h) { handle_traits<Handle>::state(h); };

/// The kernel states of the handles, in order.
template <class Handle>
std::vector<future_state_base*> states_of(const std::vector<Handle>& hs) {
  std::vector<future_state_base*> states;
  states.reserve(hs.size());
  for (const Handle& h : hs) states.push_back(handle_traits<Handle>::state(h));
  return states;
}

/// The shared state of a combinator that watches several futures or tasks
/// (gather, wait, as_completed). It is itself a future: the combinator's
/// awaiter waits on it (cancelling that awaiter calls its cancel()).
///
/// Each distinct child gets one completion node, embedded here (no
/// std::function, no allocation per child). When a child completes, its
/// node only posts on_child_done to the watcher's executor, so the
/// combinator reacts one loop iteration later, where asyncio runs a done
/// callback. A registered node holds a reference to the watcher: the state
/// outlives its awaiter until every watched child is done (or unwatch()).
/// An optional timeout calls on_timeout() through the loop's timer queue.
///
/// Touched only on its executor (the creating task's), except that a child
/// completing on another thread only posts.
class TASKIO_DECL watcher : public future_state_base, public result_slot<void> {
public:
  ~watcher() override;

  /// The distinct children, in first-occurrence order.
  std::size_t size() const noexcept { return entries_.size(); }
  future_state_base& child(std::size_t i) const noexcept { return *entries_[i].child; }
  /// The function it belongs to ("taskio::gather", "taskio::wait", ...).
  const char* who() const noexcept { return who_; }

  /// Stops watching the children that are not done yet (completions already
  /// posted still run on_child_done).
  void unwatch() noexcept;
  /// Calls on_timeout() (through the loop) once `delay` has passed.
  void arm_timeout(clock::duration delay);
  void disarm_timeout() noexcept;

protected:
  /// Bound to the running loop and the current task's executor.
  explicit watcher(const char* who);

  /// Watches the children given per input position; each distinct child is
  /// watched once. std::invalid_argument if one belongs to another loop.
  void watch(std::span<future_state_base* const> by_position);

  /// On the watcher's executor, one iteration after child(i) completed.
  virtual void on_child_done(std::size_t i) = 0;
  virtual void on_timeout() {}

  /// Completes the watcher successfully (it carries no value).
  void succeed() { set_exception(nullptr, who_); }

  const char* who_;

private:
  struct entry : completion_node {
    watcher* owner = nullptr;
    bool linked = false;
    ref_ptr<future_state_base> child;
  };
  struct timeout_node : timer_node {
    watcher* owner = nullptr;
  };
  static void fire_entry(completion_node* n, future_state_base&);
  static void fire_timeout(timer_node* n);
  static void destroy_timeout(timer_node* n);

  std::vector<entry> entries_;
  timeout_node timer_;
  bool timer_armed_ = false;
};

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
boost::asio::awaitable<basic_wait_result<Handle>> wait(std::vector<Handle> fs, wait_options opts = {}) {
  detail::ref_ptr<detail::wait_state> st(new detail::wait_state(detail::states_of(fs), opts));
  co_await detail::wait_state::wait(st);
  basic_wait_result<Handle> r;
  for (std::size_t i = 0; i < st->size(); ++i)
    (st->child(i).done() ? r.done : r.pending).push_back(detail::handle_traits<Handle>::from_state(st->child(i)));
  co_return r;
}

}  // namespace taskio

#endif  // TASKIO_WAIT_HPP
