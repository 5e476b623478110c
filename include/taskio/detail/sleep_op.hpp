//
// taskio/detail/sleep_op.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Sleeping on the loop's timer queue. A zero delay is a bare yield: the
// wake-up is posted at once (exactly one loop iteration) and, like every
// taskio suspension, it is a cancellation point.

#ifndef TASKIO_DETAIL_SLEEP_OP_HPP
#define TASKIO_DETAIL_SLEEP_OP_HPP

#include <taskio/detail/operation.hpp>

#include <boost/asio/async_result.hpp>

namespace taskio::detail {

template <class Handler>
class sleep_op final : public timer_node, public task_state_base::waiter, public queued_wakeup {
public:
  sleep_op(loop& l, Handler&& h) : queued_wakeup(&wake_step<sleep_op>), handler_(std::move(h)), loop_(&l) {
    fire = &sleep_op::on_fire;
    timer_node::destroy = &sleep_op::on_destroy;
  }

  bool cancel(const std::string& msg) override {
    if (!loop_->remove_timer(*this)) return false;  // already fired: wake-up pending
    result_ = std::make_exception_ptr(cancelled_error(msg));
    post_completion(this, loop_->get_executor());
    return true;
  }

  void complete() {
    std::exception_ptr e = std::move(result_);
    link_.detach(this, e, e != nullptr, true);
    Handler h = take_handler_and_delete(this);
    std::move(h)(std::move(e));
  }

  struct cancel_handler {
    sleep_op* op;
    void operator()(boost::asio::cancellation_type_t type) {
      if (type != boost::asio::cancellation_type::none) op->cancel({});
    }
  };

  Handler handler_;
  awaiter_link link_;

private:
  static void on_fire(timer_node* n) {
    auto* op = static_cast<sleep_op*>(n);
    post_completion(op, op->loop_->get_executor());
  }
  static void on_destroy(timer_node* n) { delete_op(static_cast<sleep_op*>(n)); }

  loop* loop_;
  std::exception_ptr result_;
};

struct initiate_sleep {
  template <class Handler>
  void operator()(Handler&& handler, loop* l, clock::duration d) const {
    using op_type = sleep_op<std::decay_t<Handler>>;
    op_type* op = new_op<op_type>(handler, *l, std::move(handler));
    if (d <= clock::duration::zero()) {  // bare yield
      task_state_base* current = thread_state::current_task();
      if (current && current->owns_slot(boost::asio::get_associated_cancellation_slot(op->handler_)))
        op->link_.task = current;  // the yield is a delivery point of that task
      post_completion(op, l->get_executor());
      return;
    }
    op->when = l->now() + d;
    op->link_.template attach<typename op_type::cancel_handler>(op->handler_, op);
    l->add_timer(*op);
  }
};

template <class CompletionToken>
auto async_sleep(loop& l, clock::duration d, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(std::exception_ptr)>(initiate_sleep{}, token, &l, d);
}

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_SLEEP_OP_HPP
