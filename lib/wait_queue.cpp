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
#include <taskio/detail/watcher.hpp>

#include <boost/asio/this_coro.hpp>

#include <stdexcept>
#include <string>

namespace taskio::detail {

void wait_queue::bind(loop& l, const char* who) {
  if (!loop_) loop_ = &l;
  if (loop_ != &l)
    throw std::runtime_error(std::string(who) + ": " + owner_ + " is bound to a different event loop");
}

boost::asio::awaitable<void> wait_queue::park(bool* woken_first) {
  node n;
  n.fut.emplace(co_await boost::asio::this_coro::executor);
  bind(access::state(*n.fut)->get_loop(), owner_);
  waiters_.push_back(n);
  std::exception_ptr e;
  {
    // parked: the waiter's future stands for the primitive (and its holder)
    await_edge edge(*access::state(*n.fut), {label_, [this](std::vector<ref_ptr<future_state_base>>& out) {
                                        if (awaited_)
                                          for (std::size_t i = 0; i < awaited_->size(); ++i)
                                            if (!awaited_->child(i).done()) out.emplace_back(&awaited_->child(i));
                                        if (list_) list_(list_ctx_, out);
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
  waiters_.erase(n);
  if (!e) co_return;
  if (woken_first) *woken_first = n.fut->done() && !n.fut->cancelled();
  std::rethrow_exception(e);
}

void wait_queue::set_holder(const task_state_base* holder) noexcept {
  holder_ = holder;
  holder_id_ = holder ? holder->id() : 0;
}

bool wait_queue::wake_first() {
  node* head = waiters_.front();
  if (!head || head->fut->done()) return false;
  head->fut->set_result();
  return true;
}

bool wait_queue::wake_next() { return wake(1) == 1; }

std::size_t wait_queue::wake(std::size_t n) {
  std::size_t woken = 0;
  for (node* w = waiters_.front(); w && woken < n; w = waiters_.next(*w)) {
    if (w->fut->done()) continue;
    w->fut->set_result();
    ++woken;
  }
  return woken;
}

bool wait_queue::has_uncancelled() const noexcept {
  for (node* w = waiters_.front(); w; w = waiters_.next(*w))
    if (!w->fut->cancelled()) return true;
  return false;
}

}  // namespace taskio::detail
