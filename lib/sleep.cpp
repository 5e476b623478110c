//
// lib/sleep.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include <taskio/sleep.hpp>

#include <boost/asio/deferred.hpp>

namespace taskio {

namespace detail {
void check_delay(const char* who, clock::duration d) {
  if (d < clock::duration::zero()) throw std::invalid_argument(std::string(who) + ": negative delay");
}
}  // namespace detail

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
