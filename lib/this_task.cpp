//
// lib/this_task.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.current_task / all_tasks (this_task.hpp): the task whose step runs
// (the kernel's thread state, checked against its own chain) and the loop's
// registry of pending tasks.

#include <taskio/this_task.hpp>

#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>

namespace taskio {

task_ref current_task() {
  detail::running_loop("taskio::current_task");
  detail::task_state_base* t = detail::thread_state::current_task();
  return t && t->own_chain_running() ? detail::access::make<task_ref>(t) : task_ref();
}

std::vector<task_ref> all_tasks() {
  auto pending = detail::running_loop("taskio::all_tasks").pending_tasks();
  std::vector<task_ref> out;
  out.reserve(pending.size());
  for (detail::task_state_base* t : pending) {
    out.push_back(detail::access::make<task_ref>(t));
    t->release();
  }
  return out;
}

}  // namespace taskio
