//
// taskio/detail/wait_op.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Waiting for a future or task to complete: async_wait's operation. The
// waiter is one of the target's completion nodes, so awaiters wake up in the
// order they started waiting, one loop iteration after the completion.
// Cancelling the awaiting task cancels the target (asyncio: awaiting a task
// or future forwards the cancel to it); the awaiter keeps waiting for the
// target's outcome.

#ifndef TASKIO_DETAIL_WAIT_OP_HPP
#define TASKIO_DETAIL_WAIT_OP_HPP

#include <taskio/detail/operation.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>

#include <stdexcept>

namespace taskio::detail {

template <class T, class State, class Handler>
class wait_op final : public completion_node, public task_state_base::waiter, public queued_wakeup {
public:
  wait_op(ref_ptr<State> target, Handler&& h, bool immediate)
      : queued_wakeup(&wake_step<wait_op>), handler_(std::move(h)), target_(std::move(target)), immediate_(immediate) {
    fire = &wait_op::on_fire;
  }

  bool cancel(const std::string& msg) override {
    ref_ptr<State> target = target_;  // `this` may be completed (and freed) inside
    return target->cancel(msg);
  }
  const future_state_base* awaited() const noexcept override { return target_.get(); }

  void complete() {
    std::exception_ptr e = target_->stored_exception();
    target_->mark_retrieved();
    link_.detach(this, e, target_->cancelled(), !immediate_);
    ref_ptr<State> target = std::move(target_);
    Handler h = take_handler_and_delete(this);
    invoke_wait_handler<T>(h, std::move(e), std::move(target));
  }

  struct cancel_handler {
    wait_op* op;
    void operator()(boost::asio::cancellation_type_t type) {
      if (type != boost::asio::cancellation_type::none) op->cancel({});
    }
  };

  Handler handler_;
  awaiter_link link_;

private:
  static void on_fire(completion_node* n, future_state_base&) {
    auto* op = static_cast<wait_op*>(n);
    post_completion(op, op->target_->executor());
  }

  ref_ptr<State> target_;
  bool immediate_;
};

/// async_wait's initiation: `target` is a future_state<T> or task_state<T>.
template <class T, class State>
struct initiate_wait {
  template <class Handler>
  void operator()(Handler&& handler, ref_ptr<State> target) const {
    using op_type = wait_op<T, State, std::decay_t<Handler>>;
    task_state_base* current = thread_state::current_task();
    if (current && static_cast<future_state_base*>(current) == static_cast<future_state_base*>(target.get())) {
      auto ex = boost::asio::get_associated_executor(handler, target->executor());
      auto e = std::make_exception_ptr(std::runtime_error("Task cannot await on itself: " + target->repr()));
      boost::asio::post(ex, [h = std::move(handler), e]() mutable { invoke_wait_handler<T>(h, e, ref_ptr<State>()); });
      return;
    }
    const bool immediate = target->done();
    op_type* op = new_op<op_type>(handler, target, std::move(handler), immediate);
    if (immediate) {
      post_completion(op, target->executor());
      return;
    }
    op->link_.template attach<typename op_type::cancel_handler>(op->handler_, op);
    target->add_node(op);
  }
};

/// Awaiting a T without a default constructor with use_awaitable: the
/// operation completes with std::optional<T> (see wait_signature); this
/// frame hands the awaiter the T itself.
template <class T, class State, class Executor>
boost::asio::awaitable<T, Executor> await_unwrapped(ref_ptr<State> target) {
  std::optional<T> v = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<Executor>&,
                                                            wait_signature_t<T>>(
      initiate_wait<T, State>{}, boost::asio::use_awaitable_t<Executor>{}, std::move(target));
  co_return std::move(*v);
}

template <class T>
inline constexpr bool needs_unwrap_v = !std::is_void_v<T> && !std::is_default_constructible_v<T>;

template <class Token>
struct use_awaitable_executor {};
template <class Executor>
struct use_awaitable_executor<boost::asio::use_awaitable_t<Executor>> {
  using type = Executor;
};

template <class T, class State, class CompletionToken>
auto async_wait(ref_ptr<State> target, CompletionToken&& token) {
  using D = std::remove_cvref_t<CompletionToken>;
  if constexpr (needs_unwrap_v<T> && requires { typename use_awaitable_executor<D>::type; }) {
    return await_unwrapped<T, State, typename use_awaitable_executor<D>::type>(std::move(target));
  } else {
    return boost::asio::async_initiate<CompletionToken, wait_signature_t<T>>(initiate_wait<T, State>{}, token,
                                                                             std::move(target));
  }
}

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_WAIT_OP_HPP
