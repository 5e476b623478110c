//
// taskio/semaphore.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::semaphore and taskio::bounded_semaphore: asyncio.Semaphore and
// asyncio.BoundedSemaphore. A counter of free slots: acquire() takes one
// (waiting, FIFO, while none is free), release() gives one back.
//
//   taskio::semaphore slots(10);               // at most 10 fetches at once
//   co_await taskio::async_with(slots, [&](taskio::semaphore&) -> asio::awaitable<void> {
//     co_await fetch(url);
//   });
//
// Fairness (asyncio 3.12+): while tasks wait, a newcomer waits behind them
// even if a slot is free; release() reserves the slot for the first waiter
// at once, so nobody can overtake it.
//
// Lifetime: not copyable, not movable; it must outlive every acquire() in
// progress. Bound to the loop of its first waiter.
//
// Cancellation: acquire() is a cancellation point only when it waits. A
// waiter cancelled after a slot was reserved for it gives the slot back and
// wakes the next waiter: no slot is lost, none is handed out twice.
//
// Thread safety: not thread-safe (asyncio's rule): one loop only; release()
// from another thread must be posted to the loop.

#ifndef TASKIO_SEMAPHORE_HPP
#define TASKIO_SEMAPHORE_HPP

#include <taskio/config.hpp>
#include <taskio/detail/wait_queue.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <exception>
#include <string>

namespace taskio {

class TASKIO_DECL semaphore {
public:
  /// A semaphore with `value` free slots (0 is allowed: every acquire()
  /// waits for a release()).
  explicit semaphore(std::size_t value = 1) noexcept : semaphore(value, std::size_t(-1), "Semaphore") {}
  semaphore(const semaphore&) = delete;
  semaphore& operator=(const semaphore&) = delete;

  /// Takes a slot: at once when one is free and nobody waits; else waits
  /// its turn. Exceptions: cancelled_error; std::runtime_error when bound
  /// to another loop.
  boost::asio::awaitable<void> acquire();

  /// Gives a slot back and wakes the first waiter.
  /// Exceptions: bounded_semaphore only, see there.
  void release();

  /// True if acquire() would wait (no free slot, or tasks already waiting).
  bool locked() const noexcept { return value_ == 0 || waiters_.has_uncancelled(); }

  /// Free slots not reserved for a woken waiter.
  std::size_t value() const noexcept { return value_; }

  /// async_with support: aenter() acquires, aexit() releases.
  boost::asio::awaitable<void> aenter() { return acquire(); }
  boost::asio::awaitable<bool> aexit(std::exception_ptr e);

  /// "<Semaphore [unlocked,value:2,waiters:1]>".
  std::string repr() const;

protected:
  semaphore(std::size_t value, std::size_t bound, const char* kind) noexcept
      : value_(value), bound_(bound), kind_(kind), waiters_("taskio::semaphore", kind) {}

private:
  bool wake_up_next();
  std::size_t value_;
  std::size_t bound_;  // release() refuses to go above it
  const char* kind_;
  detail::wait_queue waiters_;
};

/// A semaphore that refuses to go above its initial value: a release()
/// without a matching acquire() is a bug it reports.
class TASKIO_DECL bounded_semaphore : public semaphore {
public:
  /// release() (also through a semaphore& and aexit()) throws
  /// std::invalid_argument "BoundedSemaphore released too many times" when
  /// it would raise the free slots above `value`.
  explicit bounded_semaphore(std::size_t value = 1) noexcept : semaphore(value, value, "BoundedSemaphore") {}
};

}  // namespace taskio

#endif  // TASKIO_SEMAPHORE_HPP
