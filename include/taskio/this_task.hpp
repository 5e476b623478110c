//
// taskio/this_task.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Introspection of the running loop: asyncio.current_task / all_tasks.

#ifndef TASKIO_THIS_TASK_HPP
#define TASKIO_THIS_TASK_HPP

#include <taskio/config.hpp>
#include <taskio/task.hpp>

#include <vector>

namespace taskio {

/// The task whose step is running on this thread; an empty task_ref inside
/// a plain loop callback, and inside a plain coroutine that Asio starts
/// inline within a task's step on the task's executor (asio::co_spawn on
/// `co_await this_coro::executor` from inside the task). Limits
/// (doc/design.md, "Task identity"): such a coroutine's later resumptions on
/// the task's executor, and a plain coroutine co_spawn'ed inline on the
/// loop's executor, still see the task. timeout, task_group, wait_for and
/// shield are exact everywhere (they check the coroutine's own
/// cancellation slot).
/// std::runtime_error "no running event loop" outside any running loop.
TASKIO_DECL task_ref current_task();

/// The tasks of the running loop that are not done yet (in creation order).
TASKIO_DECL std::vector<task_ref> all_tasks();

}  // namespace taskio

#endif  // TASKIO_THIS_TASK_HPP
