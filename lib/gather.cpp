//
// lib/gather.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// gather's state: asyncio's _GatheringFuture and its child done callback
// (doc/semantics.md 9, gather), with the cancellation-absorption race fixed (20.4).

#include <taskio/gather.hpp>

#include <taskio/detail/wait_op.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace taskio::detail {

gather_state::gather_state(bool return_exceptions, std::span<future_state_base* const> children)
    : watcher("taskio::gather"), return_exceptions_(return_exceptions) {
  watch(children);
}

bool gather_state::cancel(std::string msg) {
  if (done()) return false;
  bool accepted = false;
  for (std::size_t i = 0; i < size(); ++i)
    if (child(i).cancel(msg)) accepted = true;
  if (accepted) {
    cancel_requested_ = true;
    cancel_msg_ = std::move(msg);
  }
  return accepted;
}

void gather_state::on_child_done(std::size_t i) {
  future_state_base& c = child(i);
  ++finished_;
  if (done()) {  // gather already failed: only retrieve
    c.mark_retrieved();
    return;
  }
  if (!return_exceptions_) {
    if (c.cancelled()) {
      set_cancelled(c.stored_exception());  // the child's cancelled_error, message included
      return;
    }
    if (c.stored_exception()) {
      c.mark_retrieved();
      set_exception(c.stored_exception(), who_);
      return;
    }
  }
  if (finished_ < size()) return;
  for (std::size_t j = 0; j < size(); ++j) child(j).mark_retrieved();
  if (cancel_requested_)
    set_cancelled(std::make_exception_ptr(cancelled_error(cancel_msg_)));
  else
    succeed();
}

boost::asio::awaitable<void> gather_state::wait(ref_ptr<gather_state> self) {
  if (self->size() == 0) co_return;  // asyncio: an already completed future
  // The task this gather belongs to, when it awaits it directly (not through
  // a sub-coroutine with its own cancellation state, e.g. asio's ||).
  task_state_base* awaiting = thread_state::current_task();
  auto cs = co_await boost::asio::this_coro::cancellation_state;
  if (awaiting && !awaiting->owns_slot(cs.slot())) awaiting = nullptr;

  auto [e] = co_await async_wait<void>(self, boost::asio::as_tuple(boost::asio::use_awaitable));
  if (!e) co_return;
  if (awaiting && self->cancel_requested_ && !is_cancellation(e)) {
    // doc/semantics.md 20.4 (gather never loses a request): the request reached the children but a child's
    // failure was reported first. The task receives that failure, and the
    // request stays pending for its next suspension point (same count).
    awaiting->rearm(self->cancel_msg_);
  }
  std::rethrow_exception(e);
}

}  // namespace taskio::detail
