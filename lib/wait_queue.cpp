//
// lib/wait_queue.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The parking lot under taskio's synchronization primitives
// (detail/wait_queue.hpp). Parking allocates one block (the park_op, from
// Asio's recycling allocator) and nothing else; the await-graph node of a
// waiter (a future and its edge) is made only when the graph is taken.

#include <taskio/detail/wait_queue.hpp>

#include <taskio/detail/await_graph.hpp>
#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>
#include <taskio/exceptions.hpp>

#include <stdexcept>
#include <string>

namespace taskio::detail {

// ---------------------------------------------------------------------------
// parked_waiter

/// A waiter as the await graph sees it: a future standing for the primitive
/// (done once the waiter is woken or cancelled, as the future asyncio parks
/// on), registered with what it stands for.
struct parked_waiter::graph_node {
  ref_ptr<future_state<void>> fut;
  await_edge edge;

  graph_node(ref_ptr<future_state<void>> f, await_target target) : fut(std::move(f)), edge(*fut, std::move(target)) {}
};

parked_waiter::~parked_waiter() { unlink(); }

void parked_waiter::unlink() noexcept {
  if (queue_) {
    queue_->waiters_.erase(*this);
    queue_ = nullptr;
  }
  delete std::exchange(graph_, nullptr);
}

void parked_waiter::set_status(status s) {
  status_ = s;
  if (graph_) mirror();
}

void parked_waiter::mirror() const {
  future_state<void>& f = *graph_->fut;
  if (f.done()) return;
  if (status_ == status::woken)
    f.set_exception(nullptr, "taskio::future::set_result");
  else if (status_ == status::cancelled)
    f.set_cancelled(cancelled_);
}

void parked_waiter::wake() {
  set_status(status::woken);
  post();
}

bool parked_waiter::cancel(const std::string& msg) {
  if (status_ != status::parked) return false;  // the wake-up is queued: the task gets the request there
  cancelled_ = std::make_exception_ptr(cancelled_error(msg));
  set_status(status::cancelled);
  post();
  return true;
}

const future_state_base* parked_waiter::awaited() const noexcept {
  if (!graph_) {
    if (!queue_ || !queue_->loop_) return nullptr;
    try {
      const wait_queue* q = queue_;
      graph_ = new graph_node(ref_ptr(new future_state<void>(*q->loop_, q->loop_->get_executor())),
                              {q->label_, [q](std::vector<ref_ptr<future_state_base>>& out) { q->list_awaited(out); }});
      mirror();
    } catch (...) {
      return nullptr;  // the graph goes without this edge
    }
  }
  return graph_->fut.get();
}

std::exception_ptr parked_waiter::finish() {
  std::exception_ptr e = std::move(cancelled_);
  link_.detach(this, e, status_ == status::cancelled, true);
  unlink();
  if (e && woken_first_) *woken_first_ = status_ == status::woken;
  return e;
}

// ---------------------------------------------------------------------------
// wait_queue

wait_queue::~wait_queue() {
  if (loop_) loop_->unbind_queue(*this);
}

void wait_queue::bind(loop& l) {
  if (!loop_) {
    l.bind_queue(*this);
    loop_ = &l;
  }
  if (loop_ != &l)
    throw std::runtime_error(std::string(owner_) + ": " + owner_ + " is bound to a different event loop");
}

std::exception_ptr wait_queue::bind_to(const boost::asio::any_io_executor& ex) noexcept {
  try {
    const auto* te = ex.target<task_executor>();
    bind(te ? te->task()->get_loop() : loop::of(unwrap_executor(ex)));
    return nullptr;
  } catch (...) {
    return std::current_exception();
  }
}

void wait_queue::orphan_parked(intrusive_list<orphan, orphan>& out) noexcept {
  for (parked_waiter* w = waiters_.front(); w;) {
    parked_waiter* next = waiters_.next(*w);
    if (w->state() == parked_waiter::status::parked) {
      waiters_.erase(*w);
      w->queue_ = nullptr;
      out.push_back(*w);
    }
    w = next;
  }
  loop_ = nullptr;
}

void wait_queue::list_awaited(std::vector<ref_ptr<future_state_base>>& out) const {
  if (list_) list_(list_ctx_, out);
  if (!holder_) return;
  for (task_state_base* t : loop_->pending_tasks()) {
    if (t == holder_ && t->id() == holder_id_) out.emplace_back(t);
    t->release();  // pending_tasks() added a reference
  }
}

bool wait_queue::wake_head() {
  parked_waiter* head = waiters_.front();
  if (head->state() != parked_waiter::status::parked) return false;
  loop_->check_thread(owner_);
  head->wake();
  return true;
}

bool wait_queue::wake_next() { return wake(1) == 1; }

std::size_t wait_queue::wake(std::size_t n) {
  std::size_t woken = 0;
  for (parked_waiter* w = waiters_.front(); w && woken < n; w = waiters_.next(*w)) {
    if (w->state() != parked_waiter::status::parked) continue;
    loop_->check_thread(owner_);
    w->wake();
    ++woken;
  }
  return woken;
}

bool wait_queue::any_uncancelled() const noexcept {
  for (parked_waiter* w = waiters_.front(); w; w = waiters_.next(*w))
    if (w->state() != parked_waiter::status::cancelled) return true;
  return false;
}

}  // namespace taskio::detail
