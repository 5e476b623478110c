//
// lib/barrier.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::barrier, after asyncio's Barrier (Lib/asyncio/locks.py): a state
// machine under one condition.

#include <taskio/barrier.hpp>

#include <taskio/async_with.hpp>

namespace taskio {

barrier::barrier(std::size_t parties) : parties_(parties) {
  cond_.waiters_.set_label("Barrier");
  if (parties == 0) throw std::invalid_argument("taskio::barrier: parties must be >= 1");
}

boost::asio::awaitable<std::size_t> barrier::wait() {
  return async_with(cond_, [this](condition&) { return wait_locked(); });
}

boost::asio::awaitable<std::size_t> barrier::wait_locked() {
  // Block while the previous round drains or resets.
  co_await cond_.wait_for([this] { return state_ != state::draining && state_ != state::resetting; });
  if (state_ == state::broken) throw broken_barrier_error("Barrier aborted");
  const std::size_t index = count_++;
  std::exception_ptr e;
  try {
    if (index + 1 == parties_) {
      state_ = state::draining;  // release the round
      cond_.notify_all();
    } else {
      co_await cond_.wait_for([this] { return state_ != state::filling; });
      if (state_ == state::broken || state_ == state::resetting)
        throw broken_barrier_error("Abort or reset of barrier");
    }
  } catch (...) {
    e = std::current_exception();
  }
  --count_;
  exit_round();
  if (e) std::rethrow_exception(e);
  co_return index;
}

void barrier::exit_round() {
  // the last task out of a drained or reset round reopens the barrier
  if (count_ == 0) {
    if (state_ == state::resetting || state_ == state::draining) state_ = state::filling;
    cond_.notify_all();
  }
}

boost::asio::awaitable<void> barrier::reset() {
  return async_with(cond_, [this](condition&) -> boost::asio::awaitable<void> {
    if (count_ > 0) {
      state_ = state::resetting;  // wakes the waiters with broken_barrier_error
    } else {
      state_ = state::filling;
    }
    cond_.notify_all();
    co_return;
  });
}

boost::asio::awaitable<void> barrier::abort() {
  return async_with(cond_, [this](condition&) -> boost::asio::awaitable<void> {
    state_ = state::broken;
    cond_.notify_all();
    co_return;
  });
}

boost::asio::awaitable<void> barrier::aenter() { co_await wait(); }

// Out of line: an inline coroutine would be compiled into every TU including <taskio.hpp>.
boost::asio::awaitable<bool> barrier::aexit(std::exception_ptr) { co_return false; }

std::string barrier::repr() const {
  static const char* const names[] = {"filling", "draining", "resetting", "broken"};
  std::string extra = names[static_cast<int>(state_)];
  if (!broken()) extra += ", waiters:" + std::to_string(n_waiting()) + "/" + std::to_string(parties_);
  return "<Barrier [" + extra + "]>";
}

}  // namespace taskio
