//
// lib/slow_wait.hpp (private to the library, not installed)
//
// Distributed under the Boost Software License, Version 1.0.
//
// Debug mode (run_options::debug): a task group's exit, or a timeout
// scope's block, that is still waiting after run_options::
// slow_wait_duration logs one warning (channel "taskio") naming the
// waiting task (repr and creation site) and what it still awaits (the
// await graph: a group's children, the task the block awaits, ...). Once
// per wait: the watch arms one loop callback when the wait starts and
// cancels it when the wait ends.
//
// On an io_context run by several threads the record names the task only
// (the await graph reads every task's state: the loop's one thread only).
//
// Cost: outside debug mode, one test of the loop's debug flag per wait;
// nothing per step.

#ifndef TASKIO_LIB_SLOW_WAIT_HPP
#define TASKIO_LIB_SLOW_WAIT_HPP

#include <taskio/loop_callbacks.hpp>

#include <string>

namespace taskio::detail {

/// Arms the warning for the current task's wait in `where` ("a TaskGroup",
/// "a timeout scope"; a literal): a loop callback due after the loop's
/// slow_wait(), to cancel when the wait ends. An empty handle outside debug
/// mode or outside a task.
timer_handle watch_slow_wait(const char* where);

/// watch_slow_wait for a scope of code (the handle cancelled at its end).
class slow_wait_watch {
public:
  explicit slow_wait_watch(const char* where) : timer_(watch_slow_wait(where)) {}
  ~slow_wait_watch() { timer_.cancel(); }
  slow_wait_watch(const slow_wait_watch&) = delete;
  slow_wait_watch& operator=(const slow_wait_watch&) = delete;

private:
  timer_handle timer_;
};

}  // namespace taskio::detail

#endif  // TASKIO_LIB_SLOW_WAIT_HPP
