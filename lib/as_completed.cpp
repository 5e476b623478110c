//
// lib/as_completed.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// as_completed's state (doc/semantics.md 11, as_completed): completed children are queued in
// completion order; a next() that finds the queue empty waits on a future
// of its own, woken FIFO (asyncio's Queue.get).

#include <taskio/as_completed.hpp>

#include <stdexcept>

namespace taskio::detail {

as_completed_state::as_completed_state(std::span<future_state_base* const> children,
                                       std::optional<any_delay> delay)
    : watcher("taskio::as_completed") {
  const std::optional<clock::duration> timeout = get_delay(delay, "taskio::as_completed");
  watch(children);
  todo_ = size();
  if (todo_ > 0 && timeout) arm_timeout(*timeout);
}

void as_completed_state::hand_out() {
  if (!has_next())
    throw std::logic_error("taskio::as_completed::next: no result left (has_next() is false)");
  ++handed_out_;
}

void as_completed_state::on_child_done(std::size_t i) {
  if (todo_ == 0) return;  // the timeout came first
  --todo_;
  put(i);
  if (todo_ == 0) disarm_timeout();
}

void as_completed_state::on_timeout() {
  unwatch();
  for (; todo_ > 0; --todo_) put(timed_out);
}

void as_completed_state::put(std::size_t item) {
  ready_.push_back(item);
  wake_next();
}

void as_completed_state::wake_next() {
  while (!getters_.empty()) {
    future<void> g = std::move(getters_.front());
    getters_.pop_front();
    if (!g.done()) {
      g.set_result();
      return;
    }
  }
}

boost::asio::awaitable<std::size_t> as_completed_state::take(ref_ptr<as_completed_state> self) {
  while (self->ready_.empty()) {
    future<void> getter;
    self->getters_.push_back(getter);
    std::exception_ptr e;
    try {
      co_await getter.async_wait();
    } catch (...) {
      e = std::current_exception();
    }
    if (e) {
      // Cancelled after being woken: pass the wake-up on, no result is lost.
      if (getter.done() && !getter.cancelled() && !self->ready_.empty()) self->wake_next();
      std::rethrow_exception(e);
    }
  }
  const std::size_t item = self->ready_.front();
  self->ready_.pop_front();
  co_return item;
}

}  // namespace taskio::detail
