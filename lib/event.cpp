//
// lib/event.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::event, after asyncio's Event (Lib/asyncio/locks.py).

#include <taskio/event.hpp>

namespace taskio {

boost::asio::awaitable<void> event::wait() {
  if (value_) co_return;
  co_await waiters_.park();
}

void event::set() {
  if (value_) return;
  value_ = true;
  waiters_.wake_all();
}

std::string event::repr() const {
  std::string extra = value_ ? "set" : "unset";
  if (!waiters_.empty()) extra += ",waiters:" + std::to_string(waiters_.size());
  return "<Event [" + extra + "]>";
}

}  // namespace taskio
