//
// example/echo/connection_limit.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The server's connection limit: a taskio::semaphore whose slots are held
// by connection tasks. acquire() waits (FIFO) while every slot is taken; a
// slot returns when the connection task holding it is destroyed.

#ifndef TASKIO_EXAMPLE_ECHO_CONNECTION_LIMIT_HPP
#define TASKIO_EXAMPLE_ECHO_CONNECTION_LIMIT_HPP

#include <taskio/semaphore.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <utility>

namespace echo {

class connection_limit {
public:
  /// A held slot; released when destroyed.
  class slot {
  public:
    slot(slot&& o) noexcept : slots_(std::exchange(o.slots_, nullptr)) {}
    slot& operator=(slot&&) = delete;
    ~slot() {
      if (slots_) slots_->release();
    }

  private:
    friend class connection_limit;
    explicit slot(taskio::semaphore* slots) noexcept : slots_(slots) {}
    taskio::semaphore* slots_;
  };

  explicit connection_limit(std::size_t max) : slots_(max) {}

  /// Cancellation: a cancellation point while no slot is free (a waiter
  /// cancelled after a slot was reserved for it passes the slot on).
  boost::asio::awaitable<slot> acquire() {
    co_await slots_.acquire();
    co_return slot(&slots_);
  }

private:
  taskio::semaphore slots_;
};

}  // namespace echo

#endif  // TASKIO_EXAMPLE_ECHO_CONNECTION_LIMIT_HPP
