//
// taskio/detail/watcher.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The child-watching core of the combinators that watch several tasks or
// futures at once: gather, wait and as_completed. handle_traits gets from
// a handle (task<T>, future<T>, task_ref) to its kernel state and back;
// watcher is the combinator's own state: one completion node per distinct
// child, reactions one loop iteration after each completion, an optional
// timeout.

#ifndef TASKIO_DETAIL_WATCHER_HPP
#define TASKIO_DETAIL_WATCHER_HPP

#include <taskio/clock.hpp>
#include <taskio/config.hpp>
#include <taskio/detail/future_state.hpp>
#include <taskio/detail/loop.hpp>
#include <taskio/future.hpp>
#include <taskio/task.hpp>

#include <cstddef>
#include <span>
#include <vector>

namespace taskio::detail {

/// How the combinators get from a handle (task<T>, future<T>, task_ref) to
/// its kernel state and back.
template <class Handle>
struct handle_traits;

template <class T>
struct handle_traits<task<T>> {
  using value_type = T;
  static future_state_base* state(const task<T>& h) { return access::state(h); }
  static task<T> from_state(future_state_base& s) {
    return access::make<task<T>>(static_cast<task_state<T>*>(&s));
  }
};

template <class T>
struct handle_traits<future<T>> {
  using value_type = T;
  static future_state_base* state(const future<T>& h) { return access::state(h); }
  static future<T> from_state(future_state_base& s) {
    return access::make<future<T>>(static_cast<future_state<T>*>(&s));
  }
};

template <>
struct handle_traits<task_ref> {
  static future_state_base* state(const task_ref& h) { return access::state(h); }
  static task_ref from_state(future_state_base& s) {
    return access::make<task_ref>(static_cast<task_state_base*>(&s));
  }
};

template <class Handle>
concept watchable_handle = requires(const Handle& h) { handle_traits<Handle>::state(h); };

/// The kernel states of the handles, in order.
template <class Handle>
std::vector<future_state_base*> states_of(const std::vector<Handle>& hs) {
  std::vector<future_state_base*> states;
  states.reserve(hs.size());
  for (const Handle& h : hs) states.push_back(handle_traits<Handle>::state(h));
  return states;
}

/// The shared state of a combinator that watches several futures or tasks
/// (gather, wait, as_completed). It is itself a future: the combinator's
/// awaiter waits on it (cancelling that awaiter calls its cancel()).
///
/// Each distinct child gets one completion node, embedded here (no
/// std::function, no allocation per child). When a child completes, its
/// node only posts on_child_done to the watcher's executor, so the
/// combinator reacts one loop iteration later, where asyncio runs a done
/// callback. A registered node holds a reference to the watcher: the state
/// outlives its awaiter until every watched child is done (or unwatch()).
/// An optional timeout calls on_timeout() through the loop's timer queue.
///
/// Touched only on its executor (the creating task's), except that a child
/// completing on another thread only posts.
class TASKIO_DECL watcher : public future_state_base, public result_slot<void> {
public:
  ~watcher() override;

  /// The distinct children, in first-occurrence order.
  std::size_t size() const noexcept { return entries_.size(); }
  future_state_base& child(std::size_t i) const noexcept { return *entries_[i].child; }
  /// Appends the children not done yet of the watcher `self` (a
  /// wait_queue's awaited_lister: as_completed's next() waits for them).
  static void list_pending(const void* self, std::vector<ref_ptr<future_state_base>>& out);
  /// The function it belongs to ("taskio::gather", "taskio::wait", ...).
  const char* who() const noexcept { return who_; }

  /// Stops watching the children that are not done yet (completions already
  /// posted still run on_child_done).
  void unwatch() noexcept;
  /// Calls on_timeout() (through the loop) once `delay` has passed.
  void arm_timeout(clock::duration delay);
  void disarm_timeout() noexcept;

protected:
  /// Bound to the running loop and the current task's executor.
  explicit watcher(const char* who);

  /// Watches the children given per input position; each distinct child is
  /// watched once. std::invalid_argument if one belongs to another loop.
  void watch(std::span<future_state_base* const> by_position);

  /// On the watcher's executor, one iteration after child(i) completed.
  virtual void on_child_done(std::size_t i) = 0;
  virtual void on_timeout() {}

  /// Completes the watcher successfully (it carries no value).
  void succeed() { set_exception(nullptr, who_); }

  const char* who_;

private:
  struct entry : completion_node {
    watcher* owner = nullptr;
    bool linked = false;
    ref_ptr<future_state_base> child;
  };
  struct timeout_node : timer_node {
    watcher* owner = nullptr;
  };
  static void fire_entry(completion_node* n, future_state_base&);
  static void fire_timeout(timer_node* n);
  static void destroy_timeout(timer_node* n);

  std::vector<entry> entries_;
  timeout_node timer_;
  bool timer_armed_ = false;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_WATCHER_HPP
