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

namespace {
/// The task taking the lock (none outside a task): the await graph shows it
/// as what the lock's waiters await.
detail::ref_ptr<detail::future_state_base> taker() {
  return detail::ref_ptr<detail::future_state_base>(detail::thread_state::current_task());
}
}  // namespace

boost::asio::awaitable<void> lock::acquire() {
  // Free and nobody ahead (cancelled waiters do not count): take it.
  if (!locked_ && !waiters_.has_uncancelled()) {
    locked_ = true;
    waiters_.set_holder(taker());
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
  waiters_.set_holder(taker());
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
