//
// taskio/shield.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::shield(aw): asyncio.shield (doc/semantics.md 8, shield). Protects a separate
// piece of work -- not a block of code -- from the cancellation of the task
// that awaits it:
//
//   auto commit = taskio::create_task(write_journal());
//   co_await taskio::wait_for(taskio::shield(commit), 1s);  // gives up waiting
//                                                           // after 1 s; the
//                                                           // write goes on
//
// The inner work is `aw` itself if it is a task or a future; an
// asio::awaitable becomes a new task at the call of shield() (so it runs
// even if the returned awaitable is never awaited; the loop owns it until
// it is done). Awaiting the returned awaitable waits for the inner work
// through a separate internal future: cancelling the awaiting task cancels
// only that wait.
//
// Cancellation: a cancellation point (unless the inner work is already
// done). The awaiting task gets cancelled_error with its own message; the
// inner work is not cancelled (its cancelling() stays 0) and its outcome can
// still be awaited later through its handle. If the inner work is cancelled
// by other means, the awaiter gets cancelled_error (with that message).
// If the inner work fails after the awaiter gave up, its exception is
// marked retrieved (no "exception was never retrieved" record; a debug
// record says it was dropped).
//
// Exceptions: the inner work's exception; cancelled_error.
// Thread safety: on the calling task's executor.

#ifndef TASKIO_SHIELD_HPP
#define TASKIO_SHIELD_HPP

#include <taskio/config.hpp>
#include <taskio/detail/await_graph.hpp>
#include <taskio/detail/ensure_future.hpp>
#include <taskio/future.hpp>
#include <taskio/traits.hpp>

#include <boost/asio/awaitable.hpp>

namespace taskio {

/// Waits for `aw` without letting the awaiter's cancellation reach it.
/// Returns its value, or rethrows its exception.
///
/// Cancellation: see the header comment.
/// Exceptions: `aw`'s exception; cancelled_error; std::runtime_error "no
/// running event loop" when `aw` is an asio::awaitable and no loop runs;
/// std::runtime_error "taskio::shield should be used inside a task" when
/// awaited from a plain coroutine (the inner work runs on).
template <class A>
  requires awaitable_like<A>
boost::asio::awaitable<awaitable_result_t<A>> shield(A aw);

// ---- implementation ----

namespace detail {

/// The debug record saying that `inner` failed with `e` after its awaiter
/// gave up (lib/shield.cpp). Never throws.
TASKIO_DECL void log_shield_dropped(const future_state_base& inner, const std::exception_ptr& e) noexcept;

/// Copies the outcome of a done task or future into `outer`, or, if the
/// awaiter already gave up (outer cancelled), marks a failure retrieved.
template <class F, class T>
void shield_copy(const F& inner, const future<T>& outer) {
  if (outer.cancelled()) {
    if (inner.cancelled()) return;
    if (std::exception_ptr e = inner.exception()) log_shield_dropped(*access::state(inner), e);  // marks it retrieved
    return;
  }
  if (inner.cancelled()) {
    try {
      inner.result();
    } catch (const cancelled_error& c) {
      outer.cancel(c.message());
    }
  } else if (std::exception_ptr e = inner.exception()) {
    outer.set_exception(std::move(e));
  } else if constexpr (std::is_void_v<T>) {
    outer.set_result();
  } else {
    outer.set_result(inner.result());
  }
}

template <class F>
boost::asio::awaitable<awaitable_result_t<F>> shield_wait(F inner) {
  using T = awaitable_result_t<F>;
  co_await require_task("taskio::shield");
  if (inner.done()) co_return inner.result();  // nothing left to protect
  future<T> outer;
  inner.add_done_callback([outer](const F& in) { shield_copy(in, outer); });
  await_edge edge(*access::state(outer), {"shield", [inner](std::vector<ref_ptr<future_state_base>>& out) {
                                     if (!inner.done()) out.emplace_back(access::state(inner));
                                   }});
  co_return co_await outer.async_wait();
}

}  // namespace detail

template <class A>
  requires awaitable_like<A>
boost::asio::awaitable<awaitable_result_t<A>> shield(A aw) {
  return detail::shield_wait(detail::ensure_future(std::move(aw)));
}

}  // namespace taskio

#endif  // TASKIO_SHIELD_HPP
