//
// taskio/detail/timer_queue.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The loop's timers (sleep, call_later, timeout scopes, the combinators'
// timeouts): nodes kept in a heap by (deadline, creation order). The loop
// owns one and locks it; nothing here is thread-safe.

#ifndef TASKIO_DETAIL_TIMER_QUEUE_HPP
#define TASKIO_DETAIL_TIMER_QUEUE_HPP

#include <taskio/clock.hpp>
#include <taskio/config.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace taskio::detail {

/// A node of the loop's timer queue. `fire` is called once the deadline has
/// passed, outside the loop's lock, after the node left the queue; it must
/// schedule work (post), never run user code inline.
struct timer_node {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  clock::time_point when{};
  std::uint64_t seq = 0;
  std::size_t index = npos;
  void (*fire)(timer_node*) = nullptr;
  void (*destroy)(timer_node*) = nullptr;  // loop shutdown with the node queued
};

/// A binary min-heap of timer nodes keyed by (when, seq): equal deadlines
/// fire in creation order. The keys are copied into the heap's array, so a
/// sift compares without visiting the (scattered) nodes; each node knows
/// its index, so removal is O(log n).
class TASKIO_DECL timer_queue {
public:
  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  timer_node* top() const noexcept { return heap_.front().node; }
  clock::time_point top_when() const noexcept { return heap_.front().when; }
  void push(timer_node* n);
  void erase(timer_node* n);
  timer_node* pop();

private:
  struct entry {
    clock::time_point when;
    std::uint64_t seq;
    timer_node* node;
  };
  static bool before(const entry& a, const entry& b) noexcept {
    return a.when < b.when || (a.when == b.when && a.seq < b.seq);
  }
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);
  void place(std::size_t i, const entry& e) {
    heap_[i] = e;
    e.node->index = i;
  }
  std::vector<entry> heap_;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_TIMER_QUEUE_HPP
