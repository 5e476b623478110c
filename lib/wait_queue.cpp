//
// lib/wait_queue.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The parking lot under taskio's synchronization primitives
// (detail/wait_queue.hpp). Each parked waiter's node lives in its park()
// coroutine frame: parking allocates the frame and the future, nothing else.

#include <taskio/detail/wait_queue.hpp>

#include <taskio/detail/await_graph.hpp>
#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>

#include <boost/asio/this_coro.hpp>

#include <stdexcept>
#include <string>

namespace taskio::detail {

void wait_queue::bind(loop& l, const char* who) {
  if (!loop_) loop_ = &l;
  if (loop_ != &l)
    throw std::runtime_error(std::string(who) + ": " + owner_ + " is bound to a different event loop");
}

void wait_queue::push_back(node& n) noexcept {
  n.prev = tail_;
  n.next = nullptr;
  (tail_ ? tail_->next : head_) = &n;
  tail_ = &n;
  ++size_;
}

void wait_queue::erase(node& n) noexcept {
  (n.prev ? n.prev->next : head_) = n.next;
  (n.next ? n.next->prev : tail_) = n.prev;
  n.prev = n.next = nullptr;
  --size_;
}

boost::asio::awaitable<void> wait_queue::park(bool* woken_first) {
  node n;
  n.fut.emplace(co_await boost::asio::this_coro::executor);
  bind(n.fut->state()->get_loop(), owner_);
  push_back(n);
  std::exception_ptr e;
  {
    // parked: the waiter's future stands for the primitive (and its holder)
    await_edge edge(*n.fut->state(), {label_, [this](std::vector<ref_ptr<future_state_base>>& out) {
                                        if (!holder_) return;
                                        for (task_state_base* t : loop_->pending_tasks()) {
                                          if (t == holder_ && t->id() == holder_id_) out.emplace_back(t);
                                          t->release();  // pending_tasks() added a reference
                                        }
                                      }});
    try {
      co_await n.fut->async_wait();
    } catch (...) {
      e = std::current_exception();
    }
  }
  erase(n);
  if (!e) co_return;
  if (woken_first) *woken_first = n.fut->done() && !n.fut->cancelled();
  std::rethrow_exception(e);
}

void wait_queue::set_holder(const task_state_base* holder) noexcept {
  holder_ = holder;
  holder_id_ = holder ? holder->id() : 0;
}

bool wait_queue::wake_first() {
  if (!head_ || head_->fut->done()) return false;
  head_->fut->set_result();
  return true;
}

bool wait_queue::wake_next() { return wake(1) == 1; }

std::size_t wait_queue::wake(std::size_t n) {
  std::size_t woken = 0;
  for (node* w = head_; w && woken < n; w = w->next) {
    if (w->fut->done()) continue;
    w->fut->set_result();
    ++woken;
  }
  return woken;
}

bool wait_queue::has_uncancelled() const noexcept {
  for (node* w = head_; w; w = w->next)
    if (!w->fut->cancelled()) return true;
  return false;
}

}  // namespace taskio::detail
