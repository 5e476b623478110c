//
// taskio/event.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::event: asyncio.Event. A flag tasks can wait for: set() wakes every
// waiter, clear() resets it; wait() returns at once while it is set.
//
//   taskio::event ready;
//   co_await ready.wait();       // in a task: until someone calls ready.set()
//
// Lifetime: not copyable, not movable; it must outlive every wait() in
// progress. Bound to the loop of its first waiter (a waiter from another
// loop gets std::runtime_error).
//
// Cancellation: wait() is a cancellation point only when the flag is clear;
// a cancelled waiter just leaves the queue (set() wakes all anyway).
//
// Thread safety: not thread-safe (asyncio's rule): use it on its loop only;
// set() from another thread must be posted to the loop (while the loop
// runs, a foreign-thread set() that wakes a waiter throws std::logic_error).

#ifndef TASKIO_EVENT_HPP
#define TASKIO_EVENT_HPP

#include <taskio/config.hpp>
#include <taskio/detail/wait_queue.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>

namespace taskio {

class TASKIO_DECL event {
public:
  event() noexcept : waiters_("taskio::event", "Event") {}
  event(const event&) = delete;
  event& operator=(const event&) = delete;

  /// Returns at once if the flag is set; else waits until set() is called
  /// (and returns even if the flag was cleared again before it resumed).
  /// Exceptions: cancelled_error.
  boost::asio::awaitable<void> wait();

  /// Sets the flag and wakes every waiter (no-op if already set).
  void set();
  /// Clears the flag: later wait() calls block again.
  void clear() noexcept { value_ = false; }
  bool is_set() const noexcept { return value_; }

  /// "<Event [set,waiters:1]>".
  std::string repr() const;

private:
  bool value_ = false;
  detail::wait_queue waiters_;
};

}  // namespace taskio

#endif  // TASKIO_EVENT_HPP
