//
// lib/condition.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::condition, after asyncio 3.13's Condition (Lib/asyncio/locks.py).

#include <taskio/condition.hpp>

#include <stdexcept>

namespace taskio {

condition::condition() : own_(std::make_unique<lock>()), lock_(own_.get()), waiters_("taskio::condition", "Condition") {}

condition::condition(lock& l) noexcept : lock_(&l), waiters_("taskio::condition", "Condition") {}

boost::asio::awaitable<void> condition::wait() {
  if (!locked()) throw std::runtime_error("taskio::condition::wait: cannot wait on un-acquired lock");
  release();
  std::exception_ptr err;
  try {
    co_await waiters_.park();
  } catch (...) {
    err = std::current_exception();
  }
  // Re-acquire the lock even if the wait was cancelled; a cancellation
  // while re-acquiring is kept (the latest one wins) and the loop goes on.
  for (;;) {
    try {
      co_await lock_->acquire();
      break;
    } catch (const cancelled_error&) {
      err = std::current_exception();
    }
  }
  if (err) {
    // This waiter may have been notified: hand the notification on.
    waiters_.wake(1);
    std::rethrow_exception(err);
  }
}

void condition::notify(std::size_t n) {
  if (!locked()) throw std::runtime_error("taskio::condition::notify: cannot notify on un-acquired lock");
  waiters_.wake(n);
}

void condition::notify_all() {
  if (!locked()) throw std::runtime_error("taskio::condition::notify_all: cannot notify on un-acquired lock");
  waiters_.wake_all();
}

std::string condition::repr() const {
  std::string extra = locked() ? "locked" : "unlocked";
  if (!waiters_.empty()) extra += ",waiters:" + std::to_string(waiters_.size());
  return "<Condition [" + extra + "]>";
}

}  // namespace taskio
