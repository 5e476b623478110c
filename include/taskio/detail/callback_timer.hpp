//
// taskio/detail/callback_timer.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A loop callback (call_soon / call_later / call_at): a reference-counted
// timer node; the queue holds one reference while the node is queued. It
// runs on the executor it was scheduled for (loop_callbacks.hpp says which):
// `cancelled` and `fn` are touched only there, so a callback cancelled on
// its executor never runs, even when its deadline already fired on another
// thread.

#ifndef TASKIO_DETAIL_CALLBACK_TIMER_HPP
#define TASKIO_DETAIL_CALLBACK_TIMER_HPP

#include <taskio/detail/loop.hpp>
#include <taskio/detail/ref_ptr.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <optional>

namespace taskio::detail {

struct TASKIO_DECL callback_timer final : ref_counted, timer_node {
  loop* l = nullptr;
  boost::asio::any_io_executor ex;  // where fn runs
  std::function<void()> fn;
  bool cancelled = false;

  /// Posts the call (skipped if cancelled by then) to `ex`.
  void schedule();
  static void on_fire(timer_node* n);
  static void on_destroy(timer_node* n);
};

/// The executor a loop callback scheduled now runs on: the current task's,
/// else that of the loop callback running on this thread, else the loop's.
TASKIO_DECL boost::asio::any_io_executor callback_executor(loop& l);

/// A callback running f() on `ex` (not yet scheduled).
/// std::invalid_argument "<who>: empty callback".
TASKIO_DECL ref_ptr<callback_timer> make_callback(const char* who, loop& l, boost::asio::any_io_executor ex,
                                                  std::function<void()> f);
/// Schedules `t` now (call_soon) or at `when` (through the timer queue).
TASKIO_DECL void schedule_callback(callback_timer& t, std::optional<clock::time_point> when);

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_CALLBACK_TIMER_HPP
