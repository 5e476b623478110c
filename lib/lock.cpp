//
// lib/lock.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::lock, after asyncio 3.13's Lock (Lib/asyncio/locks.py).

#include <taskio/lock.hpp>

#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>

#include <stdexcept>

namespace taskio {

boost::asio::awaitable<void> lock::acquire() {
  // Free and nobody ahead (cancelled waiters do not count): take it.
  if (!locked_ && !waiters_.has_uncancelled()) {
    locked_ = true;
    waiters_.set_holder(detail::thread_state::current_task());  // for the await graph
    co_return;
  }
  std::exception_ptr e;
  try {
    co_await waiters_.park();
  } catch (...) {
    e = std::current_exception();
  }
  if (e) {
    // Keep the invariant: if nobody holds (or is about to take) the lock,
    // the waiter at the head must run.
    if (!locked_) waiters_.wake_first();
    std::rethrow_exception(e);
  }
  locked_ = true;
  waiters_.set_holder(detail::thread_state::current_task());  // for the await graph
}

void lock::release() {
  if (!locked_) throw std::runtime_error("taskio::lock::release: Lock is not acquired.");
  locked_ = false;
  waiters_.set_holder(nullptr);
  waiters_.wake_first();
}

boost::asio::awaitable<bool> lock::aexit(std::exception_ptr) {
  release();
  co_return false;
}

std::string lock::repr() const {
  std::string extra = locked_ ? "locked" : "unlocked";
  if (!waiters_.empty()) extra += ",waiters:" + std::to_string(waiters_.size());
  return "<Lock [" + extra + "]>";
}

}  // namespace taskio
