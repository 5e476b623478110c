//
// taskio/future.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::future<T>: asyncio.Future (loop.create_future()). A copyable shared
// handle to a result that some other code will set; the bridge between
// callback-style code (Asio handlers, C APIs) and tasks. Completion schedules
// the done callbacks and wakes the awaiters through the loop, in the order
// they registered.
//
// Thread safety: use a future on the executor it is bound to; from another
// thread, post the set_result call to that executor.

#ifndef TASKIO_FUTURE_HPP
#define TASKIO_FUTURE_HPP

#include <taskio/config.hpp>
#include <taskio/detail/access.hpp>
#include <taskio/detail/task_state.hpp>
#include <taskio/detail/wait_op.hpp>

#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/is_executor.hpp>

namespace taskio {

template <class T>
class future {
public:
  using value_type = T;
  using state_type = detail::future_state<T>;

  /// A new pending future bound to the running loop (and to the current
  /// task's executor inside a task). std::runtime_error "no running event
  /// loop" elsewhere: pass an executor then.
  future() : future(detail::default_task_executor("taskio::future")) {}

  /// A new pending future bound to `ex`'s loop.
  template <class Executor>
    requires(boost::asio::execution::is_executor<Executor>::value || boost::asio::is_executor<Executor>::value)
  explicit future(const Executor& ex);

  /// Completes the future with a value. invalid_state_error if it is done.
  template <class U = T>
    requires(!std::is_void_v<U>)
  void set_result(U value) const;
  void set_result() const
    requires std::is_void_v<T>;
  /// Completes the future with an exception (not null). invalid_state_error
  /// if it is done.
  void set_exception(std::exception_ptr e) const;
  /// Cancels a pending future (false if done); awaiters get
  /// cancelled_error(msg).
  bool cancel(std::string msg = {}) const;

  bool done() const noexcept { return s_->done(); }
  bool cancelled() const noexcept { return s_->cancelled(); }

  /// invalid_state_error while pending, cancelled_error if cancelled, the
  /// exception if one was set; else the value: a copy for a copyable T; a
  /// move-only T is moved out by the first retrieval (result() or an
  /// awaiter) and any later one throws invalid_state_error.
  T result() const;
  std::exception_ptr exception() const { return s_->exception("taskio::future::exception"); }

  /// Schedules f(const future<T>&) once done (at once, through the loop, if
  /// already done), in a copy of the context current now.
  template <class F>
  callback_id add_done_callback(F f) const;
  std::size_t remove_done_callback(callback_id id) const { return s_->remove_done_callback(id); }

  /// Waits for completion; signature void(std::exception_ptr, T)
  /// (std::optional<T> for a T without a default constructor; awaiting with
  /// use_awaitable returns T). Cancelling the awaiter cancels the future.
  template <class CompletionToken = boost::asio::use_awaitable_t<>>
  auto async_wait(CompletionToken&& token = {}) const;

  friend bool operator==(const future& a, const future& b) noexcept { return a.s_ == b.s_; }

private:
  friend struct detail::access;
  state_type* state() const noexcept { return s_.get(); }
  explicit future(detail::ref_ptr<state_type> s) noexcept : s_(std::move(s)) {}

  void check_settable(const char* who) const;

  detail::ref_ptr<state_type> s_;
};

// ---- implementation ----

template <class T>
template <class Executor>
  requires(boost::asio::execution::is_executor<Executor>::value || boost::asio::is_executor<Executor>::value)
future<T>::future(const Executor& ex) {
  boost::asio::any_io_executor any = detail::unwrap_executor(boost::asio::any_io_executor(ex));
  s_ = detail::ref_ptr<state_type>(new state_type(detail::loop::of(any), any));
}

template <class T>
template <class U>
  requires(!std::is_void_v<U>)
void future<T>::set_result(U value) const {
  check_settable("taskio::future::set_result");
  s_->store(std::move(value));
  s_->set_exception(nullptr, "taskio::future::set_result");
}

template <class T>
void future<T>::set_result() const
  requires std::is_void_v<T>
{
  s_->check_thread("taskio::future::set_result");
  s_->set_exception(nullptr, "taskio::future::set_result");
}

template <class T>
void future<T>::set_exception(std::exception_ptr e) const {
  if (!e) throw std::invalid_argument("taskio::future::set_exception: null exception_ptr");
  s_->check_thread("taskio::future::set_exception");
  s_->set_exception(std::move(e), "taskio::future::set_exception");
}

template <class T>
bool future<T>::cancel(std::string msg) const {
  s_->check_thread("taskio::future::cancel");
  return s_->cancel(std::move(msg));
}

template <class T>
T future<T>::result() const {
  s_->check_result("taskio::future::result");
  if constexpr (!std::is_void_v<T>) return s_->take_value("taskio::future::result");
}

template <class T>
template <class F>
callback_id future<T>::add_done_callback(F f) const {
  return s_->add_done_callback(detail::bind_context_copy([f = std::move(f)](detail::future_state_base& s) mutable {
    f(detail::access::make<future>(static_cast<state_type*>(&s)));
  }));
}

template <class T>
template <class CompletionToken>
auto future<T>::async_wait(CompletionToken&& token) const {
  return detail::async_wait<T>(s_, std::forward<CompletionToken>(token));
}

template <class T>
void future<T>::check_settable(const char* who) const {
  s_->check_thread(who);
  if (s_->done()) throw invalid_state_error(std::string(who) + ": invalid state: " + s_->repr() + " is already done");
}

}  // namespace taskio

#endif  // TASKIO_FUTURE_HPP
