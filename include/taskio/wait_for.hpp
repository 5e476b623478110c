//
// taskio/wait_for.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::wait_for(aw, timeout): asyncio.wait_for as reimplemented in 3.12 on
// top of the timeout scope (doc/semantics.md 7, wait_for). `aw` is a task<T>, a future<T>
// or an asio::awaitable<T>.
//
//   int v = co_await taskio::wait_for(fetch(), 5s);   // timeout_error after 5 s
//
// With a positive timeout, `aw` is awaited inside timeout(timeout): an
// awaitable runs inline in the calling task (no new task; current_task()
// inside is the caller). On expiry the calling task is cancelled, which
// cancels whatever it awaits, and wait_for waits until that work has really
// finished: if it still produced a value (it suppressed the cancellation),
// the value is returned; if it ended cancelled, timeout_error; any other
// exception propagates.
//
// Cancellation: a cancellation point. Cancelling the calling task cancels
// `aw`, waits for it, and propagates cancelled_error, even if `aw`
// completed in the same loop iteration. The caller's cancelling() count
// ends where it started.
//
// Thread safety: on the calling task's executor.

#ifndef TASKIO_WAIT_FOR_HPP
#define TASKIO_WAIT_FOR_HPP

#include <taskio/clock.hpp>
#include <taskio/config.hpp>
#include <taskio/detail/await_graph.hpp>
#include <taskio/detail/ensure_future.hpp>
#include <taskio/future.hpp>
#include <taskio/timeout.hpp>
#include <taskio/traits.hpp>

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <stdexcept>

namespace taskio {

/// Awaits `aw` for at most `timeout` (none: no limit) and returns its value.
///
/// timeout > 0: as described above. timeout == 0: `aw` gets no time at all:
/// a task or future that is already done yields its outcome; otherwise it is
/// cancelled and awaited (an awaitable becomes a task that is cancelled
/// before its first step, so its body never runs), and the result is its
/// value if it suppressed the cancellation, timeout_error if it ended
/// cancelled, or its exception. Cancelling the caller meanwhile raises
/// cancelled_error at once and leaves `aw` to finish on its own.
///
/// Cancellation: see the header comment; with timeout == 0 the caller is not
/// cancelled by wait_for itself.
/// Exceptions: timeout_error (with the cancellation nested), `aw`'s
/// exception, cancelled_error (also when the cancellation aborted a plain
/// Asio operation: a boundary, see async_with.hpp); std::runtime_error
/// "taskio::wait_for should be used inside a task" when awaited from a
/// plain coroutine (nothing is cancelled then); std::invalid_argument for a
/// NaN, infinite or too large timeout (thrown when awaited; the same rule as
/// timeout()). Any std::chrono::duration; a negative timeout is zero
/// (any_delay, clock.hpp).
template <class A>
  requires awaitable_like<A>
boost::asio::awaitable<awaitable_result_t<A>> wait_for(A aw, std::optional<any_delay> timeout);

// ---- implementation ----

namespace detail {

/// wait_for with a timeout <= 0 on a task or future: already done -> its
/// outcome; else cancel it and wait (through a separate waiter, so the
/// caller stays cancellable) until it is done.
template <class F>
boost::asio::awaitable<awaitable_result_t<F>> wait_for_now(F fut) {
  if (fut.done()) co_return fut.result();
  future<void> waiter;
  const callback_id id = fut.add_done_callback([waiter](const F&) {
    if (!waiter.done()) waiter.set_result();
  });
  fut.cancel();
  std::exception_ptr e;
  {
    await_edge edge(*access::state(waiter), {"wait_for", [fut](std::vector<ref_ptr<future_state_base>>& out) {
                                        if (!fut.done()) out.emplace_back(access::state(fut));
                                      }});
    try {
      co_await waiter.async_wait();
    } catch (...) {
      e = std::current_exception();
    }
  }
  fut.remove_done_callback(id);
  if (e) std::rethrow_exception(e);
  try {
    co_return fut.result();
  } catch (const cancelled_error&) {
    throw_timeout_from(std::current_exception());
  }
}

}  // namespace detail

template <class A>
  requires awaitable_like<A>
boost::asio::awaitable<awaitable_result_t<A>> wait_for(A aw, std::optional<any_delay> timeout) {
  co_await detail::require_task("taskio::wait_for");
  if (!timeout) co_return co_await detail::as_awaitable(std::move(aw));
  if (const clock::duration d = timeout->get("taskio::wait_for"); d > clock::duration::zero())
    co_return co_await taskio::timeout(d, detail::as_awaitable(std::move(aw)));
  co_return co_await detail::wait_for_now(detail::ensure_future(std::move(aw)));
}

}  // namespace taskio

#endif  // TASKIO_WAIT_FOR_HPP
