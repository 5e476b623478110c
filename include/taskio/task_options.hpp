//
// taskio/task_options.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::task_options: the keyword arguments of asyncio's create_task
// (name=, eager_start=), for every create_task overload that takes an
// awaitable:
//
//   auto t = taskio::create_task(fetch(), {.name = "fetch", .eager_start = true});
//   auto c = tg.create_task(parse(), {.eager_start = false});
//
// Eager start (asyncio 3.12 eager_task_factory, 3.14 create_task(...,
// eager_start=True)): the task's first step runs synchronously inside
// create_task, up to its first suspension, with current_task() the new
// task; then create_task returns and the creator goes on. A task that
// finishes in that step is never scheduled (its done callbacks and awaiters
// are still notified through the loop, one iteration later, as always).
// Eager start needs the loop to be running on this thread and the task's
// executor to be the one running (a loop callback, a task on the same
// executor or strand); otherwise the task is scheduled as usual.
// run_options::eager_tasks makes eager start the loop's default.

#ifndef TASKIO_TASK_OPTIONS_HPP
#define TASKIO_TASK_OPTIONS_HPP

#include <taskio/context.hpp>

#include <optional>
#include <string>

namespace taskio {

struct task_options {
  /// As create_task's name argument ("Task-<n>" when empty).
  std::string name{};
  /// asyncio 3.14 eager_start: true runs the first step inside create_task,
  /// false schedules it; empty = the loop's default (run_options::eager_tasks).
  std::optional<bool> eager_start{};
  /// asyncio's context=: the task runs in this context itself (its sets are
  /// seen by every holder of it). Empty: a copy of the creator's current
  /// context.
  std::optional<taskio::context> context{};
};

namespace detail {
/// The context state task_options ask for (null: a copy of the current one).
inline ref_ptr<context_impl> given_context(const task_options& o) {
  return o.context ? ref_ptr<context_impl>(access::state(*o.context)) : ref_ptr<context_impl>();
}
}  // namespace detail

}  // namespace taskio

#endif  // TASKIO_TASK_OPTIONS_HPP
