//
// taskio/loop_callbacks.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The loop's time and plain loop callbacks: asyncio's loop.time(),
// loop.call_soon, loop.call_later and loop.call_at, with their TimerHandle.
//
//   auto h = taskio::call_later(250ms, [] { std::cout << "later\n"; });
//   h.cancel();                                    // it never runs
//
// Ordering (doc/semantics.md 1, scheduling model): call_soon callbacks run in the next loop
// iteration in the order they were scheduled; timed callbacks run once their
// time has come, equal deadlines in scheduling order, after the callbacks
// already queued.
//
// Where a callback runs: on the executor of whoever scheduled it.
//  * Scheduled from inside a task: on that task's executor, i.e. on its
//    strand when the task lives on a strand of an io_context run by several
//    threads. The callback is then serialised with the task's own steps and
//    may touch what the task touches (cancel it, reschedule its timeout).
//  * Scheduled from a loop callback (a done callback, another call_soon
//    callback, call_soon_threadsafe): on the executor that callback runs on.
//  * Otherwise (taskio::run's thread outside any task): on the io_context's
//    own executor.
// A callback runs in a copy of the context current when it was scheduled
// (context.hpp), as a plain loop callback: the running loop is set,
// current_task() is empty; an exception it throws is logged (fatal ones,
// keyboard_interrupt and system_exit, leave the loop).
//
// Lifetime: the loop keeps a scheduled callback (and what it captured) until
// it ran or was cancelled; a timer_handle may outlive both.
//
// Thread safety: every function here is called inside the loop (a task step
// or a loop callback), and timer_handle::cancel on the executor the callback
// runs on; from other threads use call_soon_threadsafe (threadsafe.hpp).

#ifndef TASKIO_LOOP_CALLBACKS_HPP
#define TASKIO_LOOP_CALLBACKS_HPP

#include <taskio/clock.hpp>
#include <taskio/config.hpp>
#include <taskio/detail/access.hpp>
#include <taskio/detail/callback_timer.hpp>

#include <functional>

namespace taskio {

/// The running loop's time (asyncio loop.time()): virtual time in a
/// virtual-time loop, else the steady clock.
/// Exceptions: std::runtime_error "no running event loop" outside a loop.
TASKIO_DECL clock::time_point loop_time();

/// Virtual-time loops only: the current step "was busy" for d: the clock
/// moves forward, nothing yields. std::logic_error on a real-time loop,
/// std::invalid_argument for a negative d (the clock never goes back).
TASKIO_DECL void advance_time(clock::duration d);

/// A scheduled loop callback (asyncio.TimerHandle). Copyable; an empty
/// (default-constructed) handle is cancelled() == false and cancel() does
/// nothing.
class TASKIO_DECL timer_handle {
public:
  timer_handle() noexcept = default;
  /// Prevents the callback from running (no effect once it ran) and drops
  /// what it captured. Call it on the executor the callback runs on (see
  /// the header comment): the check that skips a cancelled callback runs
  /// there, so a callback cancelled there never runs.
  void cancel() const;
  bool cancelled() const;
  /// When the callback is (or was) due. std::logic_error on an empty handle.
  clock::time_point when() const;

private:
  friend struct detail::access;
  explicit timer_handle(detail::ref_ptr<detail::callback_timer> t) noexcept;
  detail::ref_ptr<detail::callback_timer> t_;
};

/// Schedules f() as a plain loop callback in the next loop iteration (FIFO).
/// Exceptions: std::invalid_argument "taskio::call_soon: empty callback";
/// std::runtime_error "no running event loop".
TASKIO_DECL timer_handle call_soon(std::function<void()> f);

/// Schedules f() once `delay` has passed on the loop clock. Any
/// std::chrono::duration; a negative delay is zero (any_delay, clock.hpp).
/// Equal deadlines run in scheduling order.
/// Exceptions: as call_soon; std::invalid_argument for a NaN, infinite or
/// too large delay.
TASKIO_DECL timer_handle call_later(any_delay delay, std::function<void()> f);

/// Schedules f() at loop time `when` (a past time: as soon as the loop
/// next looks at its timers). Exceptions: as call_soon.
TASKIO_DECL timer_handle call_at(clock::time_point when, std::function<void()> f);

}  // namespace taskio

#endif  // TASKIO_LOOP_CALLBACKS_HPP
