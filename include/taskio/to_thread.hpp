//
// taskio/to_thread.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.to_thread: run a blocking function on the loop's thread pool and
// await its result without blocking the loop.
//
//   std::string text = co_await taskio::to_thread(read_file, path);
//
// The pool belongs to the loop: started on first use, sized by
// run_options::threads (0 = one thread per core), joined by runner::close
// (taskio::run joins it before returning). While a function runs, the loop
// counts it as outstanding work, so a loop whose only task waits for a
// thread is not reported as deadlocked.
//
// The function and its arguments are decay-copied into the call and invoked
// once on a pool thread as std::invoke(std::move(f), std::move(args)...).
// It runs in a copy of the awaiting task's context (context.hpp): it sees
// the task's context variables, and what it sets stays on the thread.
// Its result (or exception) is handed back to the awaiting task's executor
// and the task resumes there, never on the pool thread. Nothing of the
// task is touched from the pool thread.
//
// Cancellation: a cancellation point. Cancelling the awaiting task stops the
// waiting at once (cancelled_error in the next loop iteration) but cannot
// stop the thread: the function runs to completion and its result or
// exception is discarded. Pass your own stop flag if it must stop early.
// Exceptions: whatever the function throws; std::runtime_error "no running
// event loop" outside a loop.
// Virtual time: a virtual-time loop keeps jumping to its next deadline while
// a thread runs; combine threads with real-time loops when timing matters.

#ifndef TASKIO_TO_THREAD_HPP
#define TASKIO_TO_THREAD_HPP

#include <taskio/config.hpp>
#include <taskio/detail/future_state.hpp>
#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>
#include <taskio/detail/wait_op.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace taskio {

/// Runs f(args...) on the loop's thread pool; the awaiting task resumes on
/// its own executor with the result (see the header comment).
template <class F, class... Args>
  requires std::is_invocable_v<F, Args...>
boost::asio::awaitable<std::invoke_result_t<F, Args...>> to_thread(F f, Args... args);

// ---- implementation ----

namespace detail {

/// The awaited side of one to_thread call: a future living on the awaiting
/// task's executor; the value is kept here and moved out by the awaiter.
template <class R>
class thread_call final : public future_state_base, public result_slot<void> {
public:
  using value_type = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

  explicit thread_call(const char* who) : future_state_base(running_loop(who), default_task_executor(who)) {}

  /// On the executor: the function's outcome (dropped if the waiting was
  /// cancelled meanwhile).
  void finish(std::optional<value_type> v, std::exception_ptr e) {
    if (done()) return;
    value = std::move(v);
    set_exception(std::move(e), "taskio::to_thread");
  }

  std::optional<value_type> value;
};

/// Runs `fn` on the loop's pool and hands its outcome to `call`'s executor.
template <class R, class Fn>
void submit_to_thread(ref_ptr<thread_call<R>> call, Fn fn) {
  loop& l = call->get_loop();
  auto work = boost::asio::make_work_guard(l.get_executor());  // the loop waits for us
  boost::asio::post(l.thread_pool().get(), [call = std::move(call), fn = std::move(fn), work = std::move(work)]() mutable {
    std::optional<typename thread_call<R>::value_type> v;
    std::exception_ptr e;
    try {
      if constexpr (std::is_void_v<R>)
        fn(), v.emplace();
      else
        v.emplace(fn());
    } catch (...) {
      e = std::current_exception();
    }
    const boost::asio::any_io_executor ex = call->executor();
    // `call` and `work` move on: the pool thread never drops the last reference.
    boost::asio::post(ex, [call = std::move(call), v = std::move(v), e, work = std::move(work)]() mutable {
      call->finish(std::move(v), std::move(e));
    });
  });
}

}  // namespace detail

template <class F, class... Args>
  requires std::is_invocable_v<F, Args...>
boost::asio::awaitable<std::invoke_result_t<F, Args...>> to_thread(F f, Args... args) {
  using R = std::invoke_result_t<F, Args...>;
  static_assert(!std::is_reference_v<R>, "taskio::to_thread: the function must return a value, not a reference");
  detail::ref_ptr<detail::thread_call<R>> call(new detail::thread_call<R>("taskio::to_thread"));
  detail::submit_to_thread<R>(call, detail::bind_context_copy([f = std::move(f), ... args = std::move(args)]() mutable -> R {
    return std::invoke(std::move(f), std::move(args)...);
  }));
  co_await detail::async_wait<void>(call, boost::asio::use_awaitable);
  if constexpr (!std::is_void_v<R>) co_return std::move(*call->value);
}

}  // namespace taskio

#endif  // TASKIO_TO_THREAD_HPP
