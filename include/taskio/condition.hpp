//
// taskio/condition.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::condition: asyncio.Condition. A condition variable for tasks,
// over a taskio::lock (its own, or one shared with other conditions).
//
//   taskio::condition cv;
//   co_await taskio::async_with(cv, [&](taskio::condition& c) -> asio::awaitable<void> {
//     co_await c.wait_for([&] { return !jobs.empty(); });
//     take(jobs);
//   });
//   // producer, holding the lock: jobs.push_back(j); cv.notify();
//
// Lifetime: not copyable, not movable; it (and a lock passed in) must
// outlive every wait in progress. Bound to the loop of its first waiter.
//
// Cancellation: wait() releases the lock, waits, and always re-acquires the
// lock before it returns or throws, also when cancelled (a cancellation
// that arrives while re-acquiring is kept and rethrown once the lock is
// held again). A waiter that ends with an exception after it may have been
// notified notifies another waiter in its place (a possible spurious
// wake-up, allowed by the condition-variable protocol): no notification is
// lost.
//
// Exceptions: wait(), wait_for(), notify() and notify_all() without holding
// the lock: std::runtime_error ("cannot wait on un-acquired lock", "cannot
// notify on un-acquired lock"). As in asyncio only locked() is checked: the
// lock has no owner.
//
// Thread safety: not thread-safe (asyncio's rule): one loop only.

#ifndef TASKIO_CONDITION_HPP
#define TASKIO_CONDITION_HPP

#include <taskio/config.hpp>
#include <taskio/lock.hpp>

#include <boost/asio/awaitable.hpp>

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>

namespace taskio {

class TASKIO_DECL condition {
public:
  /// A condition with its own lock.
  condition();
  /// A condition over `l` (which must outlive it).
  explicit condition(lock& l) noexcept;
  condition(const condition&) = delete;
  condition& operator=(const condition&) = delete;

  /// The underlying lock's acquire(), release(), locked().
  boost::asio::awaitable<void> acquire() { return lock_->acquire(); }
  void release() { lock_->release(); }
  bool locked() const noexcept { return lock_->locked(); }

  /// Releases the lock, waits for notify()/notify_all(), re-acquires the
  /// lock. Cancellation: a cancellation point (see above).
  /// Exceptions: std::runtime_error when the lock is not held;
  /// cancelled_error.
  boost::asio::awaitable<void> wait();

  /// Waits until pred() is true: checks it first (no wait when true), then
  /// after every wake-up, with the lock held. Exceptions: as wait(), also
  /// when pred() is already true and the lock is not held; pred()'s own.
  template <class Pred>
  boost::asio::awaitable<void> wait_for(Pred pred) {
    if (!locked()) throw std::runtime_error("taskio::condition::wait_for: cannot wait on un-acquired lock");
    while (!pred()) co_await wait();
  }

  /// Wakes up to n waiters (they return from wait() once they hold the
  /// lock again). Does not release the lock. Exceptions: std::runtime_error
  /// when the lock is not held.
  void notify(std::size_t n = 1);
  /// Wakes every waiter.
  void notify_all();

  /// async_with support: acquire / release the lock.
  boost::asio::awaitable<void> aenter() { return acquire(); }
  boost::asio::awaitable<bool> aexit(std::exception_ptr e) { return lock_->aexit(std::move(e)); }

  /// "<Condition [locked,waiters:1]>".
  std::string repr() const;

private:
  friend class barrier;  // names its waiters "Barrier" in the await graph
  std::unique_ptr<lock> own_;
  lock* lock_;
  detail::wait_queue waiters_;
};

}  // namespace taskio

#endif  // TASKIO_CONDITION_HPP
