//
// lib/slow_wait.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The debug-mode warning about a long task group or timeout scope wait
// (slow_wait.hpp).

#include "slow_wait.hpp"

#include "log_record.hpp"

#include <taskio/detail/await_graph.hpp>
#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>

#include <cstdio>

namespace taskio::detail {

namespace {
std::string seconds(clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", std::chrono::duration<double>(d).count());
  return buf;
}
}  // namespace

timer_handle watch_slow_wait(const char* where) {
  loop* l = thread_state::current_loop();
  task_state_base* t = thread_state::current_task();
  if (!l || !t || !l->debug()) return {};
  const clock::duration after = l->slow_wait();
  ref_ptr<task_state_base> waiting(t);
  const bool graph = l->single_thread();  // the await graph reads every task: one thread only
  return call_later(after, [waiting, where, after, graph] {
    if (waiting->done()) return;
    try {
      log(log_level::warning, *waiting,
          describe(*waiting) + " has been waiting in " + std::string(where) + " for " + seconds(after) + " s" +
              (graph ? "; it awaits " + describe_awaits(*waiting) : std::string()));
    } catch (...) {
    }
  });
}

}  // namespace taskio::detail
