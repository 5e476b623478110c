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

/// The task whose step is running on this thread; an empty task_ref inside a
/// plain loop callback. std::runtime_error "no running event loop" outside
/// any running loop.
TASKIO_DECL task_ref current_task();

/// The tasks of the running loop that are not done yet (in creation order).
TASKIO_DECL std::vector<task_ref> all_tasks();

}  // namespace taskio

#endif  // TASKIO_THIS_TASK_HPP
