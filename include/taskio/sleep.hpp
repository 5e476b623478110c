//
// taskio/sleep.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.sleep on the loop's clock (virtual in virtual-time loops).
//
// Cancellation: always a cancellation point, sleep(0) included (a bare
// yield: exactly one loop iteration). A cancelled sleep removes its timer.
// Delays: any std::chrono::duration (floating point included); a negative
// delay behaves like zero, as in asyncio (any_delay, clock.hpp).
// Exceptions: std::invalid_argument for a NaN, infinite or too large delay
// ("taskio::sleep: delay is NaN"); std::runtime_error "no running event
// loop" outside a loop.

#ifndef TASKIO_SLEEP_HPP
#define TASKIO_SLEEP_HPP

#include <taskio/clock.hpp>
#include <taskio/config.hpp>
#include <taskio/detail/sleep_op.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace taskio {

/// Suspends the calling task for `delay`: any std::chrono::duration, a
/// negative delay being zero (one bare yield), see any_delay (clock.hpp).
/// (The delay and the running loop are checked when sleep() is called.)
TASKIO_DECL boost::asio::awaitable<void> sleep(any_delay delay);

/// The same, then returns `result` (checked when awaited).
template <class T>
boost::asio::awaitable<T> sleep(any_delay delay, T result) {
  co_await sleep(delay);
  co_return result;
}

/// Suspends until the loop clock reaches `when` (a past time: one yield).
TASKIO_DECL boost::asio::awaitable<void> sleep_until(clock::time_point when);

/// One bare yield to the loop (sleep(0)): a cancellation point.
TASKIO_DECL boost::asio::awaitable<void> yield_now();

}  // namespace taskio

#endif  // TASKIO_SLEEP_HPP
