//
// taskio/detail/operation.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Plumbing shared by taskio's own asynchronous operations (waiting on a
// future or task, sleeping): allocation through the handler's associated
// allocator (Asio's recycling allocator by default), the wake-up posted
// through the handler's associated executor, and the rule that decides what
// a task awaiting the operation receives.

#ifndef TASKIO_DETAIL_OPERATION_HPP
#define TASKIO_DETAIL_OPERATION_HPP

#include <taskio/config.hpp>
#include <taskio/detail/task_state.hpp>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/recycling_allocator.hpp>

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace taskio::detail {

template <class Op, class Handler>
using op_allocator_t = typename std::allocator_traits<
    boost::asio::associated_allocator_t<Handler, boost::asio::recycling_allocator<void>>>::template rebind_alloc<Op>;

/// Allocates an Op (which stores the handler as `handler_`) with the
/// handler's associated allocator.
template <class Op, class Handler, class... Args>
Op* new_op(Handler& h, Args&&... args) {
  op_allocator_t<Op, Handler> alloc(
      boost::asio::get_associated_allocator(h, boost::asio::recycling_allocator<void>()));
  Op* p = std::allocator_traits<decltype(alloc)>::allocate(alloc, 1);
  try {
    return ::new (static_cast<void*>(p)) Op(std::forward<Args>(args)...);
  } catch (...) {
    std::allocator_traits<decltype(alloc)>::deallocate(alloc, p, 1);
    throw;
  }
}

/// Destroys an Op allocated by new_op, after moving its handler out.
template <class Op>
auto take_handler_and_delete(Op* p) {
  auto h = std::move(p->handler_);
  op_allocator_t<Op, decltype(h)> alloc(
      boost::asio::get_associated_allocator(h, boost::asio::recycling_allocator<void>()));
  p->~Op();
  std::allocator_traits<decltype(alloc)>::deallocate(alloc, p, 1);
  return h;
}

template <class Op>
void delete_op(Op* p) {
  (void)take_handler_and_delete(p);
}

/// Base of taskio's operations whose wake-up can be queued as the operation
/// itself: when a task on a plain io_context executor awaits it, the step
/// that completes it is queued on the io_context without allocating (as
/// Asio's own operations are). Op passes &wake_step<Op> to the constructor.
class queued_wakeup : public asio_compat::scheduler_operation {
public:
  task_state_base* woken_ = nullptr;  // holds a reference while queued

protected:
  explicit queued_wakeup(func_type f) noexcept : scheduler_operation(f) {}
};

/// queued_wakeup's completion function: the task's step completing `op`,
/// or (owner null: io_context shutdown) the op destroyed unrun.
template <class Op>
void wake_step(void* owner, asio_compat::scheduler_operation* base, const boost::system::error_code&,
               std::size_t) {
  Op* op = static_cast<Op*>(static_cast<queued_wakeup*>(base));
  struct release_last {
    task_state_base* t;
    ~release_last() { t->release(); }
  } keep{op->woken_};
  if (owner)
    keep.t->step([op] { op->complete(); });
  else
    delete_op(op);
}

/// Posts `op->complete()` through the handler's associated executor. If the
/// posted function is destroyed without running (loop shutdown), the op is
/// destroyed without invoking its handler.
template <class Op>
void post_completion(Op* op, const boost::asio::any_io_executor& fallback) {
  struct runner {
    Op* op;
    explicit runner(Op* o) noexcept : op(o) {}
    runner(runner&& o) noexcept : op(std::exchange(o.op, nullptr)) {}
    ~runner() {
      if (op) delete_op(op);
    }
    void operator()() { std::exchange(op, nullptr)->complete(); }
  };
  auto ex = boost::asio::get_associated_executor(op->handler_, fallback);
  if constexpr (std::is_same_v<decltype(ex), boost::asio::any_io_executor>) {
    if (const auto* te = ex.template target<task_executor>()) {
      // A task awaits: post its step directly (what post() through the
      // task's executor would do, without a second type-erased hop).
      task_state_base* t = te->task();
      if constexpr (std::is_base_of_v<queued_wakeup, Op>) {
        if (t->inner().is_io()) {
          t->add_ref();
          op->woken_ = t;
          t->get_loop().post_operation(op);
          return;
        }
      }
      t->inner().post([t = ref_ptr<task_state_base>(t), r = runner(op)]() mutable { t->step(std::move(r)); });
      return;
    }
  }
  boost::asio::post(ex, runner(op));
}

/// How a taskio operation relates to the task that awaits it.
struct awaiter_link {
  task_state_base* task = nullptr;        // set when awaited directly by a task
  boost::asio::cancellation_slot slot;    // set for any other cancellable awaiter

  /// Registers `w` as the current task's waiter when the handler's slot is
  /// that task's own slot; otherwise installs `CancelHandler{w}` in the
  /// handler's slot if it is connected.
  template <class CancelHandler, class Handler, class Waiter>
  void attach(Handler& h, Waiter* w) {
    auto s = boost::asio::get_associated_cancellation_slot(h);
    task_state_base* current = thread_state::current_task();
    if (current && current->owns_slot(s)) {
      task = current;
      current->set_waiter(w);
    } else if (s.is_connected()) {
      slot = s;
      slot.template emplace<CancelHandler>(w);
    }
  }

  /// The operation is destroyed without completing (loop shutdown):
  /// unregisters only.
  template <class Waiter>
  void forget(Waiter* w) noexcept {
    if (task) {
      if (task->current_waiter() == w) task->set_waiter(nullptr);
    } else if (slot.is_connected()) {
      slot.clear();
    }
  }

  /// At completion, on the awaiter's executor: unregisters, then applies
  /// asyncio's step rule: a request still pending replaces the outcome by a
  /// cancelled_error (or is consumed by an incoming cancellation).
  template <class Waiter>
  void detach(Waiter* w, std::exception_ptr& e, bool incoming_is_cancellation, bool delivery_point) {
    forget(w);
    if (!task) return;
    if (delivery_point)
      if (auto c = task->take_pending_cancel(incoming_is_cancellation)) e = std::move(c);
    if (incoming_is_cancellation) task->remember_cancelled(e);
  }
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_OPERATION_HPP
