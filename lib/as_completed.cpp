//
// lib/as_completed.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// as_completed's state (doc/semantics.md 11, as_completed): completed children are queued in
// completion order; a next() that finds the queue empty parks in the wait
// queue (detail/wait_queue.hpp), woken FIFO (asyncio's Queue.get).

#include <taskio/as_completed.hpp>

#include <stdexcept>

namespace taskio::detail {

as_completed_state::as_completed_state(std::span<future_state_base* const> children,
                                       std::optional<any_delay> delay)
    : watcher("taskio::as_completed") {
  const std::optional<clock::duration> timeout = get_delay(delay, "taskio::as_completed");
  watch(children);
  getters_.set_awaited(&list_pending, this);  // a next() waiting shows the children still running
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
  getters_.wake_next();
}

boost::asio::awaitable<std::size_t> as_completed_state::take(ref_ptr<as_completed_state> self) {
  while (self->ready_.empty()) {
    bool woken = false;
    try {
      co_await self->getters_.park(&woken);
    } catch (...) {
      // Cancelled after being woken: pass the wake-up on, no result is lost.
      if (woken && !self->ready_.empty()) self->getters_.wake_next();
      throw;
    }
  }
  const std::size_t item = self->ready_.front();
  self->ready_.pop_front();
  co_return item;
}

}  // namespace taskio::detail
