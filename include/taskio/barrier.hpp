//
// taskio/barrier.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::barrier: asyncio.Barrier (3.11+). `parties` tasks call wait();
// the last to arrive releases them all, and the barrier is reusable: a task
// arriving while the previous round still drains waits for the next round.
//
//   taskio::barrier b(3);
//   std::size_t i = co_await b.wait();   // in each of 3 tasks: 0, 1, 2
//
// States (asyncio's): filling -> draining (the round is released) ->
// filling; reset() -> resetting (current waiters get broken_barrier_error,
// then filling again); abort() -> broken (every current and future wait()
// gets broken_barrier_error until reset()).
//
// Lifetime: not copyable, not movable; it must outlive every wait().
//
// Cancellation: wait(), reset() and abort() are cancellation points (they
// take the barrier's internal condition lock). A waiter cancelled while the
// round fills leaves it (n_waiting() drops); the barrier is not broken.
//
// Exceptions: barrier(0): std::invalid_argument; wait() on a broken barrier
// or interrupted by reset()/abort(): broken_barrier_error.
//
// Thread safety: not thread-safe (asyncio's rule): one loop only.

#ifndef TASKIO_BARRIER_HPP
#define TASKIO_BARRIER_HPP

#include <taskio/config.hpp>
#include <taskio/condition.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>

namespace taskio {

/// asyncio.BrokenBarrierError: the barrier was reset or aborted.
class broken_barrier_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class TASKIO_DECL barrier {
public:
  /// Exceptions: std::invalid_argument "parties must be >= 1" for 0.
  explicit barrier(std::size_t parties);
  barrier(const barrier&) = delete;
  barrier& operator=(const barrier&) = delete;

  /// Waits until `parties` tasks are waiting, then releases them all.
  /// Returns this task's arrival index in its round (0 .. parties-1).
  /// Exceptions: broken_barrier_error (broken, reset or aborted while
  /// waiting); cancelled_error.
  boost::asio::awaitable<std::size_t> wait();

  /// Back to the empty filling state; tasks waiting now get
  /// broken_barrier_error. Also repairs a broken barrier.
  boost::asio::awaitable<void> reset();
  /// Breaks the barrier: current and later wait() calls get
  /// broken_barrier_error until reset().
  boost::asio::awaitable<void> abort();

  std::size_t parties() const noexcept { return parties_; }
  /// Tasks waiting in the round being filled (0 while draining).
  std::size_t n_waiting() const noexcept { return state_ == state::filling ? count_ : 0; }
  bool broken() const noexcept { return state_ == state::broken; }

  /// async_with support: aenter() is wait() (the arrival index is not
  /// available there: call wait() for it); aexit() does nothing.
  boost::asio::awaitable<void> aenter();
  boost::asio::awaitable<bool> aexit(std::exception_ptr);

  /// "<Barrier [filling, waiters:1/3]>".
  std::string repr() const;

private:
  enum class state { filling, draining, resetting, broken };
  boost::asio::awaitable<std::size_t> wait_locked();
  void exit_round();

  condition cond_;
  std::size_t parties_;
  state state_ = state::filling;
  std::size_t count_ = 0;  // tasks inside wait() of this round
};

}  // namespace taskio

#endif  // TASKIO_BARRIER_HPP
