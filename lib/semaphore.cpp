//
// lib/semaphore.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::semaphore / bounded_semaphore, after asyncio 3.13's Semaphore
// (Lib/asyncio/locks.py): a woken waiter's slot is taken off value_ when it
// is woken, so a newcomer cannot overtake it.

#include <taskio/semaphore.hpp>

#include <stdexcept>

namespace taskio {

boost::asio::awaitable<void> semaphore::acquire() {
  if (!locked()) {
    --value_;
    co_return;
  }
  bool woken = false;
  std::exception_ptr e;
  try {
    co_await waiters_.park(&woken);
  } catch (...) {
    e = std::current_exception();
    if (woken) ++value_;  // the slot reserved for us goes back
  }
  // Waiters that arrived while slots were free had to queue (FIFO): wake as
  // many as there are slots.
  while (value_ > 0 && wake_up_next()) {
  }
  if (e) std::rethrow_exception(e);
}

bool semaphore::wake_up_next() {
  // reserve the slot before waking (value_ > 0 here)
  --value_;
  if (waiters_.wake_next()) return true;
  ++value_;
  return false;
}

void semaphore::release() {
  if (value_ >= bound_)
    throw std::invalid_argument("taskio::bounded_semaphore::release: BoundedSemaphore released too many times");
  ++value_;
  wake_up_next();
}

boost::asio::awaitable<bool> semaphore::aexit(std::exception_ptr) {
  release();
  co_return false;
}

std::string semaphore::repr() const {
  std::string extra = locked() ? "locked" : "unlocked,value:" + std::to_string(value_);
  if (!waiters_.empty()) extra += ",waiters:" + std::to_string(waiters_.size());
  return std::string("<") + kind_ + " [" + extra + "]>";
}

}  // namespace taskio
