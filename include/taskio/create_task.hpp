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
#include <taskio/task.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/is_executor.hpp>

#include <source_location>
#include <string>

namespace taskio {

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

}  // namespace taskio

#endif  // TASKIO_CREATE_TASK_HPP
