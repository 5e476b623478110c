//
// taskio/detail/ref_ptr.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// An intrusive reference-counted pointer: the shared state of futures and
// tasks counts its own references, so a handle can be made from a raw
// pointer anywhere (a done callback, the step hook) without a control block.

#ifndef TASKIO_DETAIL_REF_PTR_HPP
#define TASKIO_DETAIL_REF_PTR_HPP

#include <taskio/config.hpp>

#include <atomic>
#include <cstddef>
#include <utility>

namespace taskio::detail {

/// Base of every reference-counted state. Counting is atomic because a task
/// handle may be copied on any thread of a multi-threaded loop.
class ref_counted {
public:
  ref_counted() = default;
  ref_counted(const ref_counted&) = delete;
  ref_counted& operator=(const ref_counted&) = delete;

  void add_ref() const noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() const noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

protected:
  virtual ~ref_counted() = default;

private:
  mutable std::atomic<long> refs_{0};
};

template <class T>
class ref_ptr {
public:
  ref_ptr() noexcept = default;
  ref_ptr(std::nullptr_t) noexcept {}
  explicit ref_ptr(T* p) noexcept : p_(p) {
    if (p_) p_->add_ref();
  }
  ref_ptr(const ref_ptr& o) noexcept : ref_ptr(o.p_) {}
  ref_ptr(ref_ptr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  template <class U>
  ref_ptr(const ref_ptr<U>& o) noexcept : ref_ptr(o.get()) {}
  template <class U>
  ref_ptr(ref_ptr<U>&& o) noexcept : p_(o.detach()) {}
  ~ref_ptr() {
    if (p_) p_->release();
  }
  ref_ptr& operator=(ref_ptr o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }

  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  T* detach() noexcept { return std::exchange(p_, nullptr); }

  friend bool operator==(const ref_ptr& a, const ref_ptr& b) noexcept { return a.p_ == b.p_; }

private:
  T* p_ = nullptr;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_REF_PTR_HPP
