//
// taskio/spawn.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::spawn(ex, what, token): asio::co_spawn's shape, with a taskio task
// underneath. For code that uses co_spawn today and wants asyncio's tasks
// (cancel with a message, cancelling()/uncancel(), current_task(), timeouts,
// task groups) without changing how it is started:
//
//   taskio::spawn(io, serve(socket), asio::detached);
//   taskio::spawn(ex, [conn] { return conn->run(); }, [](std::exception_ptr e) { ... });
//   std::future<int> f = taskio::spawn(io, compute(), asio::use_future);
//   int v = co_await taskio::spawn(ex, compute(), asio::use_awaitable);
//
// What: an asio::awaitable<R>, or a callable returning one; the callable
// (and what it captures) is stored with the task and lives as long as it
// does (as co_spawn keeps F, and as create_task(F) does).
//
// Completion: `token` is completed once the task is done, with
// void(std::exception_ptr, R) (void(std::exception_ptr) for void;
// void(std::exception_ptr, std::optional<R>) for an R without a default
// constructor, co_awaiting with use_awaitable still gives R). A cancelled
// task completes it with a cancelled_error (message kept). The handler runs
// through its associated executor (as any Asio completion), and the result
// is retrieved as task::result does (a move-only R is moved into it).
//
// Lifetime: the task belongs to the loop (as every task); the initiation
// creates it on ex, through asio::dispatch (inline when called on ex's
// thread, posted otherwise: call spawn from any thread, before or while the
// loop runs).
// Cancellation: a cancellation emitted on the token's associated
// cancellation slot (asio::bind_cancellation_slot, or the awaiting task's or
// coroutine's own slot with use_awaitable) cancels the task; the handler
// still gets the task's outcome (usually cancelled_error). Awaited with
// use_awaitable from a task, cancelling that task cancels the spawned task
// (as awaiting a task does).
// Exceptions: std::invalid_argument (through the handler, or at the call
// for an executor that is not a taskio loop's) for an empty awaitable.
// Thread safety: spawn itself may be called from any thread; the handler
// runs on its associated executor.

#ifndef TASKIO_SPAWN_HPP
#define TASKIO_SPAWN_HPP

#include <taskio/config.hpp>
#include <taskio/create_task.hpp>
#include <taskio/detail/wait_op.hpp>
#include <taskio/task.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>
#include <type_traits>
#include <utility>

namespace taskio {

/// Creates a task on `ex` (an executor, or an execution context such as an
/// io_context) running `what` and completes `token` with its outcome; see
/// the header comment.
template <class ExecutorOrContext, class What, class CompletionToken>
  requires(detail::is_asio_awaitable_v<std::remove_cvref_t<What>> || detail::awaitable_factory<What>)
auto spawn(ExecutorOrContext&& ex, What&& what, CompletionToken&& token);

// ---- implementation ----

namespace detail {

/// spawn's initiation: on `ex`, creates the task and waits on it with the
/// handler (async_wait's operation: associated executor, cancellation slot).
template <class R>
struct initiate_spawn {
  template <class Handler>
  void operator()(Handler&& handler, boost::asio::any_io_executor ex, boost::asio::awaitable<R> aw) const {
    boost::asio::dispatch(ex, [ex, h = std::forward<Handler>(handler), aw = std::move(aw)]() mutable {
      task<R> t = create_task(ex, std::move(aw));
      initiate_wait<R, task_state<R>>{}(std::move(h), ref_ptr<task_state<R>>(access::state(t)));
    });
  }
};

template <class E>
boost::asio::any_io_executor spawn_executor(const E& ex) {
  if constexpr (std::is_convertible_v<E&, boost::asio::execution_context&>)
    return const_cast<E&>(ex).get_executor();
  else
    return unwrap_executor(boost::asio::any_io_executor(ex));
}

template <class R, class Executor>
boost::asio::awaitable<R, Executor> spawn_unwrapped(boost::asio::any_io_executor ex, boost::asio::awaitable<R> aw) {
  std::optional<R> v = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<Executor>&,
                                                            wait_signature_t<R>>(
      initiate_spawn<R>{}, boost::asio::use_awaitable_t<Executor>{}, std::move(ex), std::move(aw));
  co_return std::move(*v);
}

template <class What>
auto spawn_awaitable(What&& what) {
  if constexpr (is_asio_awaitable_v<std::remove_cvref_t<What>>) {
    static_assert(!std::is_lvalue_reference_v<What>, "taskio::spawn: pass an asio::awaitable by rvalue (std::move)");
    require_valid(what);
    return std::move(what);
  } else {
    return keep_callable(std::forward<What>(what));
  }
}

}  // namespace detail

template <class ExecutorOrContext, class What, class CompletionToken>
  requires(detail::is_asio_awaitable_v<std::remove_cvref_t<What>> || detail::awaitable_factory<What>)
auto spawn(ExecutorOrContext&& ex, What&& what, CompletionToken&& token) {
  auto aw = detail::spawn_awaitable(std::forward<What>(what));
  using R = typename decltype(aw)::value_type;
  boost::asio::any_io_executor target = detail::spawn_executor(ex);
  using D = std::remove_cvref_t<CompletionToken>;
  if constexpr (detail::needs_unwrap_v<R> && requires { typename detail::use_awaitable_executor<D>::type; }) {
    return detail::spawn_unwrapped<R, typename detail::use_awaitable_executor<D>::type>(std::move(target),
                                                                                       std::move(aw));
  } else {
    return boost::asio::async_initiate<CompletionToken, detail::wait_signature_t<R>>(
        detail::initiate_spawn<R>{}, token, std::move(target), std::move(aw));
  }
}

}  // namespace taskio

#endif  // TASKIO_SPAWN_HPP
