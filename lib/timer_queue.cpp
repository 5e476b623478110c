//
// lib/timer_queue.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include <taskio/detail/timer_queue.hpp>

namespace taskio::detail {

void timer_queue::push(timer_node* n) {
  heap_.push_back({n->when, n->seq, n});
  n->index = heap_.size() - 1;
  sift_up(n->index);
}

void timer_queue::erase(timer_node* n) {
  const std::size_t i = n->index;
  const entry last = heap_.back();
  heap_.pop_back();
  n->index = timer_node::npos;
  if (i < heap_.size()) {
    place(i, last);
    sift_up(i);
    sift_down(last.node->index);
  }
}

timer_node* timer_queue::pop() {
  timer_node* n = heap_.front().node;
  erase(n);
  return n;
}

void timer_queue::sift_up(std::size_t i) {
  const entry e = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (!before(e, heap_[parent])) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, e);
}

void timer_queue::sift_down(std::size_t i) {
  const entry e = heap_[i];
  const std::size_t size = heap_.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], e)) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, e);
}

}  // namespace taskio::detail
