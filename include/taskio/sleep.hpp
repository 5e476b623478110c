//
// taskio/sleep.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.sleep on the loop's clock (virtual in virtual-time loops).
//
// Cancellation: always a cancellation point, sleep(0) included (a bare
// yield: exactly one loop iteration). A cancelled sleep removes its timer.
// Exceptions: std::invalid_argument for a negative or NaN delay (asyncio
// treats negative delays as 0; taskio rejects them as the bugs they usually
// are); std::runtime_error "no running event loop" outside a loop.

#ifndef TASKIO_SLEEP_HPP
#define TASKIO_SLEEP_HPP

#include <taskio/clock.hpp>
#include <taskio/config.hpp>
#include <taskio/detail/sleep_op.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cmath>
#include <concepts>
#include <stdexcept>

namespace taskio {

namespace detail {
TASKIO_DECL void check_delay(const char* who, clock::duration d);
template <class Rep, class Period>
clock::duration to_delay(const char* who, std::chrono::duration<Rep, Period> d) {
  if constexpr (std::floating_point<Rep>) {
    if (std::isnan(d.count())) throw std::invalid_argument(std::string(who) + ": delay is NaN");
    if (d.count() < 0) throw std::invalid_argument(std::string(who) + ": negative delay");
    if (d >= std::chrono::duration<double>(std::chrono::hours(24 * 365 * 100)))
      throw std::invalid_argument(std::string(who) + ": delay is too large");
  }
  auto r = std::chrono::duration_cast<clock::duration>(d);
  check_delay(who, r);
  return r;
}
}  // namespace detail

/// Suspends the calling task for `delay`; returns `result` (if given).
/// (The delay and the running loop are checked when sleep() is called.)
template <class Rep, class Period>
boost::asio::awaitable<void> sleep(std::chrono::duration<Rep, Period> delay) {
  auto d = detail::to_delay("taskio::sleep", delay);
  return detail::async_sleep(detail::running_loop("taskio::sleep"), d, boost::asio::use_awaitable);
}

template <class Rep, class Period, class T>
boost::asio::awaitable<T> sleep(std::chrono::duration<Rep, Period> delay, T result) {
  co_await sleep(delay);
  co_return result;
}

/// Suspends until the loop clock reaches `when` (a past time: one yield).
TASKIO_DECL boost::asio::awaitable<void> sleep_until(clock::time_point when);

/// One bare yield to the loop (sleep(0)): a cancellation point.
TASKIO_DECL boost::asio::awaitable<void> yield_now();

}  // namespace taskio

#endif  // TASKIO_SLEEP_HPP
