//
// taskio/detail/callback_timer.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A loop callback (call_soon / call_later / call_at): a reference-counted
// timer node; the queue holds one reference while the node is queued.

#ifndef TASKIO_DETAIL_CALLBACK_TIMER_HPP
#define TASKIO_DETAIL_CALLBACK_TIMER_HPP

#include <taskio/detail/loop.hpp>
#include <taskio/detail/ref_ptr.hpp>

#include <functional>

namespace taskio::detail {

struct TASKIO_DECL callback_timer final : ref_counted, timer_node {
  loop* l = nullptr;
  std::function<void()> fn;
  bool cancelled = false;

  /// Posts the call (skipped if cancelled by then) to the loop.
  void schedule();
  static void on_fire(timer_node* n);
  static void on_destroy(timer_node* n);
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_CALLBACK_TIMER_HPP
