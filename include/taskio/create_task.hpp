//
// taskio/create_task.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.create_task: wraps an asio::awaitable<T> into a task and schedules
// its first step. The creator keeps running until its own next suspension
// point; the task's body starts in a later loop iteration (unlike
// asio::co_spawn, which starts it at once on its own thread).

#ifndef TASKIO_CREATE_TASK_HPP
#define TASKIO_CREATE_TASK_HPP

#include <taskio/config.hpp>
#include <taskio/context.hpp>
#include <taskio/task.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/is_executor.hpp>

#include <functional>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>

namespace taskio {

/// The options of create_task (asyncio's keyword arguments).
struct task_options {
  /// As the name argument (empty: "Task-<id>").
  std::string name;
  /// The context the task runs in (asyncio's context=): the task runs in
  /// this context itself and its sets are seen by every holder of it.
  /// Empty: a copy of the creator's current context.
  std::optional<taskio::context> context;
};

namespace detail {
/// The context state task_options ask for (null: a copy of the current one).
inline ref_ptr<context_impl> given_context(const task_options& o) {
  return o.context ? o.context->impl() : ref_ptr<context_impl>();
}
}  // namespace detail

/// Creates a task on the current task's executor (a child runs where its
/// parent runs), or on the running loop from a plain loop callback.
///
/// Exceptions: std::runtime_error "no running event loop" when called
/// outside a running taskio loop (pass an executor then);
/// std::invalid_argument for an empty `coro` (moved from, or already
/// awaited).
template <class T>
task<T> create_task(boost::asio::awaitable<T> coro, std::string name = {},
                    std::source_location where = std::source_location::current()) {
  return task<T>(
      detail::launch_task(detail::default_task_executor("taskio::create_task"), std::move(coro), std::move(name), where));
}

/// Creates a task on `ex`: an io_context executor, a strand of one, or any
/// executor obtained inside a task (`co_await asio::this_coro::executor`).
/// Works before the loop runs.
template <class Executor, class T>
  requires(boost::asio::execution::is_executor<Executor>::value || boost::asio::is_executor<Executor>::value)
task<T> create_task(const Executor& ex, boost::asio::awaitable<T> coro, std::string name = {},
                    std::source_location where = std::source_location::current()) {
  return task<T>(
      detail::launch_task(boost::asio::any_io_executor(ex), std::move(coro), std::move(name), where));
}

/// Creates a task on an io_context.
template <class T>
task<T> create_task(boost::asio::io_context& ctx, boost::asio::awaitable<T> coro, std::string name = {},
                    std::source_location where = std::source_location::current()) {
  return create_task(ctx.get_executor(), std::move(coro), std::move(name), where);
}

/// create_task(coro) with options: `create_task(work(), {.name = "w", .context = ctx})`.
template <class T>
task<T> create_task(boost::asio::awaitable<T> coro, task_options opts,
                    std::source_location where = std::source_location::current()) {
  return task<T>(detail::launch_task(detail::default_task_executor("taskio::create_task"), std::move(coro),
                                     std::move(opts.name), where, detail::given_context(opts)));
}

/// create_task(ex, coro) with options.
template <class Executor, class T>
  requires(boost::asio::execution::is_executor<Executor>::value || boost::asio::is_executor<Executor>::value)
task<T> create_task(const Executor& ex, boost::asio::awaitable<T> coro, task_options opts,
                    std::source_location where = std::source_location::current()) {
  return task<T>(detail::launch_task(boost::asio::any_io_executor(ex), std::move(coro), std::move(opts.name), where,
                                     detail::given_context(opts)));
}

/// create_task(ctx, coro) with options.
template <class T>
task<T> create_task(boost::asio::io_context& ctx, boost::asio::awaitable<T> coro, task_options opts,
                    std::source_location where = std::source_location::current()) {
  return create_task(ctx.get_executor(), std::move(coro), std::move(opts), where);
}

namespace detail {

template <class A>
inline constexpr bool is_asio_awaitable_v = false;
template <class T, class E>
inline constexpr bool is_asio_awaitable_v<boost::asio::awaitable<T, E>> = true;

/// f(args...) with the arguments as lvalues when f accepts them so (they
/// stay in the task's frame), else as rvalues (move-only by-value params).
template <class F, class... Args>
decltype(auto) invoke_kept(F& f, Args&... args) {
  if constexpr (std::is_invocable_v<F&, Args&...>)
    return std::invoke(f, args...);
  else
    return std::invoke(f, std::move(args)...);
}

template <class F, class... Args>
struct kept_result {
  using type = std::invoke_result_t<F&, Args&&...>;
};
template <class F, class... Args>
  requires std::is_invocable_v<F&, Args&...>
struct kept_result<F, Args...> {
  using type = std::invoke_result_t<F&, Args&...>;
};
template <class F, class... Args>
using kept_result_t = typename kept_result<F, Args...>::type;

/// A callable returning an asio::awaitable<R>, invoked with `Args`.
template <class F, class... Args>
concept awaitable_factory = (std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&...> ||
                             std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&&...>) &&
                            is_asio_awaitable_v<kept_result_t<std::decay_t<F>, std::decay_t<Args>...>>;

/// The outermost coroutine of a task made from a callable: f and args are
/// its parameters, so they live in its frame exactly as long as the task
/// runs (what asio::co_spawn(ex, F) does with F). f(args...) is called in
/// the task's first step.
template <class R, class F, class... Args>
boost::asio::awaitable<R> call_kept(F f, Args... args) {
  co_return co_await invoke_kept(f, args...);
}

/// call_kept(f, args...) for the decayed types, not started.
template <class F, class... Args>
auto keep_callable(F&& f, Args&&... args) {
  using A = kept_result_t<std::decay_t<F>, std::decay_t<Args>...>;
  using R = typename A::value_type;
  return call_kept<R, std::decay_t<F>, std::decay_t<Args>...>(std::forward<F>(f), std::forward<Args>(args)...);
}

}  // namespace detail

/// Creates a task running f(args...) (a callable returning an
/// asio::awaitable<R>) on the current task's executor, or on the running
/// loop from a plain loop callback.
///
/// Lifetime: f and args are decay-copied (moved from rvalues) and stored
/// with the task until it is done, as asio::co_spawn(ex, F) keeps F: a
/// lambda's captures stay valid for the whole body, after the creator's
/// scope ended. f(args...) is called in the task's first step; args are
/// passed as lvalues (stored objects) when f accepts them, else moved.
/// Exceptions: as create_task(coro); what f throws (inside the task).
template <class F, class... Args>
  requires detail::awaitable_factory<F, Args...>
auto create_task(F&& f, Args&&... args) {
  return create_task(detail::keep_callable(std::forward<F>(f), std::forward<Args>(args)...));
}

/// The same on `ex` (an executor, as create_task(ex, coro)).
template <class Executor, class F, class... Args>
  requires((boost::asio::execution::is_executor<Executor>::value || boost::asio::is_executor<Executor>::value) &&
           detail::awaitable_factory<F, Args...>)
auto create_task(const Executor& ex, F&& f, Args&&... args) {
  return create_task(ex, detail::keep_callable(std::forward<F>(f), std::forward<Args>(args)...));
}

/// The same on an io_context.
template <class F, class... Args>
  requires detail::awaitable_factory<F, Args...>
auto create_task(boost::asio::io_context& ctx, F&& f, Args&&... args) {
  return create_task(ctx.get_executor(), detail::keep_callable(std::forward<F>(f), std::forward<Args>(args)...));
}

}  // namespace taskio

#endif  // TASKIO_CREATE_TASK_HPP
