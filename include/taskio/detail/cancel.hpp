//
// taskio/detail/cancel.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The cancellation module: everything about one task's cancellation lives
// here and in lib/cancel.cpp (doc/semantics.md 3.3-3.7, Task cancellation; doc/cancellation.md):
//
//  * the count, the message and the pending flag (cancel / uncancel /
//    cancelling, and rearm(): "deliver at the next suspension point without
//    counting", the verb gather and task_group use);
//  * delivery: to the taskio operation the task is suspended on (its
//    `waiter`, exact), or to a plain Asio operation through the task's
//    cancellation slot (probe + `terminal` emission; exact by the outcome
//    with use_task, see below);
//  * "this operation_aborted is the abort of this task's request"
//    (own_abort) and its conversion into cancelled_error(msg) at every
//    boundary (as_cancellation);
//  * the single decision of how a task ends (end_as_cancelled);
//  * the debug-mode warning when a delivered abort is swallowed.
//
// The route of one t.cancel("stop") into a plain timer and back:
// request() -> deliver() -> probe + emit on the slot (kernel) -> the timer
// fails with operation_aborted (operation) -> the probe or use_task's
// outcome() marks the emission accepted -> end_as_cancelled /
// as_cancellation turn the error into cancelled_error("stop") (kernel).
//
// Acceptance of an emission into a plain Asio operation:
//  * use_task: exact. An operation that fails aborted after an emission took
//    it; one that succeeds after an emission did not: the request is then
//    delivered right there (the result is dropped, asyncio's "the step throws
//    instead of returning the result").
//  * plain use_awaitable on a FIFO executor (a single-threaded io_context, or
//    a strand of an io_context created with concurrency hint 1): a probe
//    posted before the emission runs before an accepting operation's
//    completion and after an already completed one's.
//  * otherwise (a strand of an io_context run by several threads, other
//    executors) acceptance cannot be proven: the request stays pending and is
//    also delivered at the next suspension point, so it is never lost (a task
//    that swallows the aborted operation receives it again there).
//
// Thread safety: on the task's executor only.

#ifndef TASKIO_DETAIL_CANCEL_HPP
#define TASKIO_DETAIL_CANCEL_HPP

#include <taskio/config.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>

namespace taskio::detail {

class task_state_base;
class future_state_base;

/// True when `ec` is what an Asio operation fails with when a cancellation
/// aborts it (operation_aborted, or an experimental channel's
/// channel_cancelled).
TASKIO_DECL bool is_abort_code(const boost::system::error_code& ec) noexcept;

/// One task's cancellation state; a base of task_state_base.
class TASKIO_DECL cancellation {
public:
  /// A taskio awaitable the task is suspended on (asyncio's fut_waiter).
  class waiter {
  public:
    /// Try to cancel the awaited operation with `msg`. True if it accepted
    /// (the task will be woken with a cancelled_error). May complete the
    /// operation synchronously (it then only posts the wake-up).
    virtual bool cancel(const std::string& msg) = 0;
    /// The future or task awaited (introspection, await graph), if any.
    virtual const future_state_base* awaited() const noexcept { return nullptr; }

  protected:
    ~waiter() = default;
  };

  // --- the count (asyncio Task.cancel / uncancel / cancelling) ---
  /// Counts one request with `msg` and delivers it if the task is not
  /// running. The caller checked that the task is not done.
  void request(std::string msg);
  int uncancel() noexcept;
  int cancelling() const noexcept { return count_; }
  bool must_cancel() const noexcept { return must_cancel_; }
  /// Deliver the latest counted request (again) at the next suspension
  /// point, with `msg`, without counting. No-op when no request is counted.
  void rearm(std::string msg);

  // --- delivery points (taskio operations) ---
  /// At a delivery point: consumes a pending request. Returns the
  /// cancelled_error to raise, or null when there is none or when
  /// `incoming_is_cancellation` (one error per request).
  std::exception_ptr take_pending_cancel(bool incoming_is_cancellation);
  /// Notes that `e` (a cancelled_error) was delivered to this task.
  void remember_cancelled(const std::exception_ptr& e) { record().last_cancelled = e; }
  waiter* current_waiter() const noexcept { return waiter_; }
  void set_waiter(waiter* w) noexcept { waiter_ = w; }
  /// Whether `slot` is this task's own cancellation slot, i.e. the
  /// operation (or coroutine) holding it runs in the task's own coroutine
  /// chain.
  bool owns_slot(const boost::asio::cancellation_slot& slot) const noexcept {
    return slot.is_connected() && slot == cstate_.slot();
  }

  // --- plain Asio operations ---
  /// How many emissions this task made on its slot (use_task compares the
  /// value before and after an operation).
  std::uint64_t emissions() const noexcept { return emissions_; }
  /// use_task's exact rule, called when an operation awaited by this task
  /// completed with `ec` after `emissions()` was `before`: the exception to
  /// throw (cancelled_error(msg) for an accepted emission, or for a request
  /// the operation did not take, which is delivered right here), the
  /// system_error for another failure, or null.
  std::exception_ptr outcome(std::uint64_t before, const boost::system::error_code& ec);
  /// True when `e` is an operation_aborted / channel_cancelled caused by a
  /// request of this task (sets nothing).
  bool own_abort(const std::exception_ptr& e) const noexcept;
  /// Boundary conversion: `e` itself, or, when it is this task's own abort,
  /// the cancelled_error(msg) of that request (the request counts as
  /// delivered).
  std::exception_ptr as_cancellation(const std::exception_ptr& e);

  // --- the end ---
  /// The task's body ended: with `e` (null: it returned). Returns the
  /// cancelled_error the task ends with, or null when it ends finished.
  /// `started`: false when the body never ran.
  std::exception_ptr end_as_cancelled(const std::exception_ptr& e, bool started);

  boost::asio::cancellation_signal& signal() noexcept { return signal_; }

protected:
  cancellation() = default;
  ~cancellation() = default;

  /// Called by the task: its coroutine's cancellation state and the
  /// executor kind (FIFO: the probe is exact).
  void attach_state(boost::asio::cancellation_state cs, bool fifo) noexcept {
    cstate_ = cs;
    fifo_ = fifo;
  }
  /// The end of the task's outermost step: resolves an emission the task
  /// was resumed after (`switched`), warns about a swallowed abort, and
  /// delivers a pending request. Nothing to do (inline) unless a request
  /// is pending, an emission is in flight or an abort is outstanding.
  void after_step(bool switched) {
    if (must_cancel_ || in_flight_ || abort_outstanding_) [[unlikely]]
      after_step_pending(switched);
  }
  void forget_delivery() noexcept {
    waiter_ = nullptr;
    probe_pending_ = false;
    in_flight_ = false;
  }
  /// Delivers a pending request now if the task is suspended.
  void deliver();

private:
  /// What only a task that was asked to cancel needs: allocated at the
  /// first request (or delivered cancelled_error), so the many tasks that
  /// are never cancelled carry one pointer instead (doc/benchmarks.md,
  /// memory per suspended task).
  struct cold_state {
    std::string cancel_msg;
    std::string abort_msg;  // the message of the request that aborted
    std::exception_ptr last_cancelled;
    std::uint64_t probe_seq = 0;
  };
  cold_state& record() {
    if (!cold_) cold_ = std::make_unique<cold_state>();
    return *cold_;
  }

  void after_step_pending(bool switched);
  task_state_base& self() noexcept;
  void on_probe(std::uint64_t seq);
  std::exception_ptr make_cancelled(const std::string& msg);
  void warn_swallowed();

  int count_ = 0;
  bool must_cancel_ = false;
  bool fifo_ = true;
  bool probe_pending_ = false;  // FIFO: a probe decides the latest emission
  bool in_flight_ = false;      // an emission the task has not resumed after
  bool aborted_ = false;        // an emission aborted a plain operation
  bool unresolved_ = false;     // not FIFO: an emission was made, not proven
  bool abort_outstanding_ = false;  // delivered as an abort, not rethrown yet
  std::uint64_t emissions_ = 0;
  std::unique_ptr<cold_state> cold_;
  waiter* waiter_ = nullptr;
  boost::asio::cancellation_signal signal_;
  boost::asio::cancellation_state cstate_;
};

/// Boundary conversion for the current task (see cancellation::
/// as_cancellation); `e` itself outside a task.
TASKIO_DECL std::exception_ptr to_cancellation(const std::exception_ptr& e);

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_CANCEL_HPP
