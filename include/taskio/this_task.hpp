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

/// The task whose own coroutine chain is running on this thread; an empty
/// task_ref inside a plain loop callback and inside a plain coroutine, even
/// one that Asio runs on a task's executor or inline within a task's step
/// (asio::co_spawn from inside the task). One limit (doc/design.md, "Task
/// identity"): before Asio 1.36, a plain coroutine co_spawn'ed on the loop's
/// executor from inside a task and started inline sees the task until its
/// first suspension. timeout, task_group, wait_for and shield are exact
/// everywhere (they check the coroutine's own cancellation slot).
/// std::runtime_error "no running event loop" outside any running loop.
TASKIO_DECL task_ref current_task();

/// The tasks of the running loop that are not done yet (in creation order).
TASKIO_DECL std::vector<task_ref> all_tasks();

}  // namespace taskio

#endif  // TASKIO_THIS_TASK_HPP
