//
// lib/sleep.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include <taskio/sleep.hpp>

#include <boost/asio/deferred.hpp>

namespace taskio {

boost::asio::awaitable<void> sleep(any_delay delay) {
  const clock::duration d = delay.get("taskio::sleep");
  return detail::async_sleep(detail::running_loop("taskio::sleep"), d, boost::asio::use_awaitable);
}

boost::asio::awaitable<void> sleep_until(clock::time_point when) {
  detail::loop& l = detail::running_loop("taskio::sleep_until");
  const auto d = when - l.now();
  co_await detail::async_sleep(l, d > clock::duration::zero() ? d : clock::duration::zero(), boost::asio::deferred);
}

boost::asio::awaitable<void> yield_now() {
  return detail::async_sleep(detail::running_loop("taskio::yield_now"), clock::duration::zero(),
                             boost::asio::use_awaitable);
}

}  // namespace taskio
