//
// taskio/lock.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::lock: asyncio.Lock. A mutual-exclusion lock for tasks on one
// loop: acquire() suspends while another holder has it; release() hands it
// to the longest waiter (FIFO). The lock has no owner: any task may release
// it, as in asyncio.
//
//   taskio::lock mu;
//   co_await taskio::async_with(mu, [&](taskio::lock&) -> asio::awaitable<void> {
//     co_await write_record(db);          // one writer at a time
//   });
//
// Lifetime: not copyable, not movable; it must outlive every acquire() in
// progress. Bound to the loop of its first waiter (a waiter from another
// loop gets std::runtime_error "... is bound to a different event loop").
//
// Cancellation: acquire() is a cancellation point only when it has to
// wait. A waiter cancelled while waiting leaves the queue; one cancelled
// after the lock was handed to it (its wake-up already queued) does not
// take the lock and passes the wake-up on to the next waiter: the lock is
// never left held by nobody, no wake-up is lost.
//
// Thread safety: like asyncio's, not thread-safe. Use a lock from tasks and
// coroutines of its loop only (its loop's thread, or its strand); to
// release from another thread, post the call to the loop. Waking a waiter
// from a foreign thread while the loop runs throws std::logic_error.

#ifndef TASKIO_LOCK_HPP
#define TASKIO_LOCK_HPP

#include <taskio/config.hpp>
#include <taskio/detail/wait_queue.hpp>

#include <boost/asio/awaitable.hpp>

#include <exception>
#include <string>

namespace taskio {

class TASKIO_DECL lock {
public:
  lock() noexcept : waiters_("taskio::lock", "Lock") {}
  lock(const lock&) = delete;
  lock& operator=(const lock&) = delete;

  /// Acquires the lock: at once (no suspension) when it is free and no
  /// task is waiting for it; else waits its turn in FIFO order.
  /// Cancellation: a cancellation point when it waits (see above).
  /// Exceptions: cancelled_error; std::runtime_error when the lock is bound
  /// to another loop.
  boost::asio::awaitable<void> acquire();

  /// Releases the lock and wakes the first waiter (it takes the lock when it
  /// resumes, one loop iteration later; locked() stays false until then).
  /// Exceptions: std::runtime_error "Lock is not acquired." if unlocked.
  void release();

  /// True while some task holds the lock.
  bool locked() const noexcept { return locked_; }

  /// async_with support: aenter() acquires, aexit() releases (never
  /// suppresses the body's exception).
  boost::asio::awaitable<void> aenter() { return acquire(); }
  boost::asio::awaitable<bool> aexit(std::exception_ptr e);

  /// "<Lock [locked,waiters:2]>", as asyncio's repr.
  std::string repr() const;

private:
  bool locked_ = false;
  detail::wait_queue waiters_;
};

}  // namespace taskio

#endif  // TASKIO_LOCK_HPP
