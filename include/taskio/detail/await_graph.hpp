//
// taskio/detail/await_graph.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Who awaits whom, for introspection (introspection.hpp). A task suspended
// on a taskio operation names what it awaits (cancellation::waiter::
// awaited()): a task, a future, or a combinator's own future (gather, wait
// and as_completed: detail::watcher, whose children are known). A wait
// whose future does not know what it waits for (a task group's "all
// children done", shield's outer future, wait_for(aw, 0)'s waiter)
// registers an await_edge for the time of the wait: the future, a label,
// and a function listing the futures it stands for (possibly none: an
// event). A primitive's parked waiter (detail::wait_queue) has no future:
// it makes one with its edge when the graph first asks what it awaits.

#ifndef TASKIO_DETAIL_AWAIT_GRAPH_HPP
#define TASKIO_DETAIL_AWAIT_GRAPH_HPP

#include <taskio/config.hpp>
#include <taskio/detail/future_state.hpp>

#include <functional>
#include <string>
#include <vector>

namespace taskio::detail {

/// What a future stands for while it is awaited (see the header comment).
struct await_target {
  std::string label;                                              // "TaskGroup", "shield"
  std::function<void(std::vector<ref_ptr<future_state_base>>&)> list;  // appends the awaited futures
};

/// Registers `by` as standing for `target` for the scope of the wait.
class TASKIO_DECL await_edge {
public:
  await_edge(const future_state_base& by, await_target target);
  ~await_edge();
  await_edge(const await_edge&) = delete;
  await_edge& operator=(const await_edge&) = delete;

private:
  const future_state_base* by_;
};

/// The registered target of `by`; false if none.
TASKIO_DECL bool find_await_target(const future_state_base& by, std::string& label,
                                   std::vector<ref_ptr<future_state_base>>& awaited);

class task_state_base;

/// What task `t` awaits now, for a log record: the await graph's summary,
/// then each task it reaches through combinators and primitives with its
/// repr and creation site, e.g. "TaskGroup(c1, c2): <Task pending name='c1'
/// created at app.cpp:12>, <Task pending ...>"; "nothing taskio records"
/// when it awaits no taskio wait (a sleep, a plain Asio operation). On the
/// loop's thread, inside the loop.
TASKIO_DECL std::string describe_awaits(const task_state_base& t);

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_AWAIT_GRAPH_HPP
