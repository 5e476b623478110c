//
// taskio/create_task.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.create_task: wraps an asio::awaitable<T> into a task and schedules
// its first step. The creator keeps running until its own next suspension
// point; the task's body starts in a later loop iteration (unlike
// asio::co_spawn, which starts it at once on its own thread). With eager
// start (task_options::eager_start, run_options::eager_tasks) the first step
// runs inside create_task instead, as asyncio 3.12+ eager tasks.

#ifndef TASKIO_CREATE_TASK_HPP
#define TASKIO_CREATE_TASK_HPP

#include <taskio/config.hpp>
#include <taskio/task.hpp>
#include <taskio/task_options.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/is_executor.hpp>

#include <functional>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>

namespace taskio {

namespace detail {
/// A task name argument: anything a std::string is made from.
template <class N>
concept task_name = std::is_convertible_v<N, std::string>;

template <class A>
inline constexpr bool is_asio_awaitable_v = false;
template <class T, class E>
inline constexpr bool is_asio_awaitable_v<boost::asio::awaitable<T, E>> = true;

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
}  // namespace detail

/// Creates a task on the current task's executor (a child runs where its
/// parent runs), or on the running loop from a plain loop callback.
/// `opts`: asyncio's keyword arguments (name, eager_start; task_options.hpp):
/// `create_task(f(), {.name = "f", .eager_start = true})`.
///
/// Exceptions: std::runtime_error "no running event loop" when called
/// outside a running taskio loop (pass an executor then);
/// std::invalid_argument for an empty `coro` (moved from, or already
/// awaited).
template <class T>
task<T> create_task(boost::asio::awaitable<T> coro, task_options opts,
                    std::source_location where = std::source_location::current()) {
  return detail::access::make<task<T>>(detail::launch_task(detail::default_task_executor("taskio::create_task"),
                                                          std::move(coro), std::move(opts.name), where,
                                                          opts.eager_start, detail::given_context(opts)));
}

/// create_task(coro) without options. (A separate overload, not a defaulted
/// task_options: g++ 12 miscompiles a non-trivial temporary made inside a
/// co_await expression, and `co_await create_task(f()).async_wait()` would
/// make one; README, "Known compiler issues".)
template <class T>
task<T> create_task(boost::asio::awaitable<T> coro, std::source_location where = std::source_location::current()) {
  return create_task(std::move(coro), task_options{}, where);
}

/// Creates a task named `name` (create_task(coro, {.name = name})).
/// (A template, so that a braced task_options never converts to a string:
/// g++ 12 takes {.name = "n", .eager_start = true} for std::string("n", 1)
/// and calls a std::string overload ambiguous.)
template <class T, detail::task_name Name>
task<T> create_task(boost::asio::awaitable<T> coro, Name&& name,
                    std::source_location where = std::source_location::current()) {
  return create_task(std::move(coro), task_options{.name = std::forward<Name>(name)}, where);
}

/// Creates a task on `ex`: an io_context executor, a strand of one, or any
/// executor obtained inside a task (`co_await asio::this_coro::executor`).
/// Works before the loop runs (the task is then scheduled, never eager).
template <class Executor, class T>
  requires(boost::asio::execution::is_executor<Executor>::value || boost::asio::is_executor<Executor>::value)
task<T> create_task(const Executor& ex, boost::asio::awaitable<T> coro, task_options opts,
                    std::source_location where = std::source_location::current()) {
  return detail::access::make<task<T>>(detail::launch_task(boost::asio::any_io_executor(ex), std::move(coro),
                                                          std::move(opts.name), where, opts.eager_start,
                                                          detail::given_context(opts)));
}

/// create_task(ex, coro) without options (see create_task(coro)).
template <class Executor, class T>
  requires(boost::asio::execution::is_executor<Executor>::value || boost::asio::is_executor<Executor>::value)
task<T> create_task(const Executor& ex, boost::asio::awaitable<T> coro,
                    std::source_location where = std::source_location::current()) {
  return create_task(ex, std::move(coro), task_options{}, where);
}

/// The same, named `name`.
template <class Executor, class T, detail::task_name Name>
  requires(boost::asio::execution::is_executor<Executor>::value || boost::asio::is_executor<Executor>::value)
task<T> create_task(const Executor& ex, boost::asio::awaitable<T> coro, Name&& name,
                    std::source_location where = std::source_location::current()) {
  return create_task(ex, std::move(coro), task_options{.name = std::forward<Name>(name)}, where);
}

/// Creates a task on an io_context.
template <class T>
task<T> create_task(boost::asio::io_context& ctx, boost::asio::awaitable<T> coro, task_options opts,
                    std::source_location where = std::source_location::current()) {
  return create_task(ctx.get_executor(), std::move(coro), std::move(opts), where);
}

/// create_task(ctx, coro) without options (see create_task(coro)).
template <class T>
task<T> create_task(boost::asio::io_context& ctx, boost::asio::awaitable<T> coro,
                    std::source_location where = std::source_location::current()) {
  return create_task(ctx.get_executor(), std::move(coro), where);
}

/// The same, named `name`.
template <class T, detail::task_name Name>
task<T> create_task(boost::asio::io_context& ctx, boost::asio::awaitable<T> coro, Name&& name,
                    std::source_location where = std::source_location::current()) {
  return create_task(ctx.get_executor(), std::move(coro), task_options{.name = std::forward<Name>(name)}, where);
}

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
auto create_task(F&& f, Args&&... args);

/// The same on `ex` (an executor, as create_task(ex, coro)).
template <class Executor, class F, class... Args>
  requires((boost::asio::execution::is_executor<Executor>::value || boost::asio::is_executor<Executor>::value) &&
           detail::awaitable_factory<F, Args...>)
auto create_task(const Executor& ex, F&& f, Args&&... args);

/// The same on an io_context.
template <class F, class... Args>
  requires detail::awaitable_factory<F, Args...>
auto create_task(boost::asio::io_context& ctx, F&& f, Args&&... args);

// ---- implementation ----

namespace detail {

/// f(args...) with the arguments as lvalues when f accepts them so (they
/// stay in the task's frame), else as rvalues (move-only by-value params).
template <class F, class... Args>
decltype(auto) invoke_kept(F& f, Args&... args) {
  if constexpr (std::is_invocable_v<F&, Args&...>)
    return std::invoke(f, args...);
  else
    return std::invoke(f, std::move(args)...);
}

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

template <class F, class... Args>
  requires detail::awaitable_factory<F, Args...>
auto create_task(F&& f, Args&&... args) {
  return create_task(detail::keep_callable(std::forward<F>(f), std::forward<Args>(args)...));
}

template <class Executor, class F, class... Args>
  requires((boost::asio::execution::is_executor<Executor>::value || boost::asio::is_executor<Executor>::value) &&
           detail::awaitable_factory<F, Args...>)
auto create_task(const Executor& ex, F&& f, Args&&... args) {
  return create_task(ex, detail::keep_callable(std::forward<F>(f), std::forward<Args>(args)...));
}

template <class F, class... Args>
  requires detail::awaitable_factory<F, Args...>
auto create_task(boost::asio::io_context& ctx, F&& f, Args&&... args) {
  return create_task(ctx.get_executor(), detail::keep_callable(std::forward<F>(f), std::forward<Args>(args)...));
}

}  // namespace taskio

#endif  // TASKIO_CREATE_TASK_HPP
