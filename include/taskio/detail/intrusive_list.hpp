//
// taskio/detail/intrusive_list.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The kernel's one intrusive doubly-linked list: a node derives from
// list_hook<Tag> (one hook per list it can be in) and the list links the
// nodes themselves, so linking and unlinking never allocate and a node
// unlinks itself in O(1). Used by the completion nodes of a future, the
// loop's task registry, a task group's live children and the wait queue of
// the synchronization primitives. Not thread-safe: the owner locks.

#ifndef TASKIO_DETAIL_INTRUSIVE_LIST_HPP
#define TASKIO_DETAIL_INTRUSIVE_LIST_HPP

#include <cstddef>

namespace taskio::detail {

/// The links of a node in an intrusive_list<T, Tag>.
template <class Tag = void>
struct list_hook {
  list_hook* prev_link = nullptr;
  list_hook* next_link = nullptr;
};

/// A FIFO of T (which derives from list_hook<Tag>), in insertion order.
template <class T, class Tag = void>
class intrusive_list {
  using hook = list_hook<Tag>;

public:
  intrusive_list() = default;
  intrusive_list(const intrusive_list&) = delete;
  intrusive_list& operator=(const intrusive_list&) = delete;

  bool empty() const noexcept { return head_ == nullptr; }
  std::size_t size() const noexcept { return size_; }
  T* front() const noexcept { return node(head_); }
  /// The node after n (null at the end): `for (T* n = l.front(); n; n = l.next(*n))`.
  static T* next(const T& n) noexcept { return node(static_cast<const hook&>(n).next_link); }
  bool contains(const T& n) const noexcept {
    const hook& h = n;
    return h.prev_link || head_ == &h;
  }

  void push_back(T& n) noexcept {
    hook& h = n;
    h.prev_link = tail_;
    h.next_link = nullptr;
    (tail_ ? tail_->next_link : head_) = &h;
    tail_ = &h;
    ++size_;
  }
  /// Unlinks n; false (and nothing changes) if n is not in this list.
  bool erase(T& n) noexcept {
    if (!contains(n)) return false;
    hook& h = n;
    (h.prev_link ? h.prev_link->next_link : head_) = h.next_link;
    (h.next_link ? h.next_link->prev_link : tail_) = h.prev_link;
    h.prev_link = h.next_link = nullptr;
    --size_;
    return true;
  }
  T* pop_front() noexcept {
    T* n = front();
    if (n) erase(*n);
    return n;
  }
  /// Unlinks every node, then calls f(T&) on it, front to back.
  template <class F>
  void clear(F f) {
    while (T* n = pop_front()) f(*n);
  }

private:
  static T* node(hook* h) noexcept { return h ? static_cast<T*>(h) : nullptr; }
  static T* node(const hook* h) noexcept { return node(const_cast<hook*>(h)); }

  hook* head_ = nullptr;
  hook* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_INTRUSIVE_LIST_HPP
