//
// taskio/introspection.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// "Which task is waiting on what": asyncio 3.14's call graph
// (capture_call_graph, format_call_graph, print_call_graph) and
// `python -m asyncio ps / pstree` in-process (dump_tasks).
//
//   taskio::print_call_graph(std::cerr);              // the current task, and who awaits it
//   taskio::dump_tasks(std::cerr);                    // every task of the loop, as a tree
//   taskio::dump_tasks(std::cerr, taskio::dump_format::table);
//   taskio::dump_tasks(std::cerr, taskio::dump_format::dot);   // Graphviz: dot -Tpng
//
// The await graph is recorded by taskio's own waits: awaiting a task or a
// future (task.async_wait(), future.async_wait()), gather, wait,
// as_completed, a task group's exit, shield, wait_for (with a timeout: the
// task awaits `aw` itself, inside a timeout scope; with 0: a "wait_for"
// node), and the synchronization primitives: a task parked in a lock,
// event, condition, semaphore, barrier or queue awaits a node named after
// it ("Lock", "Event", "Condition", "Semaphore", "BoundedSemaphore",
// "Barrier", "Queue.get", "Queue.put"), and a lock's node awaits the task
// holding the lock (a task waiting for a lock it holds is an await cycle).
// Timeout scopes are transparent: a task inside one awaits what the block
// awaits. A task suspended elsewhere (a sleep, a plain Asio operation)
// awaits nothing in the graph.
//
// Call stacks: a task's call stack is its get_stack(): the coroutine
// frames of its Asio awaitable chain, innermost first, named from the
// program's symbols and debug information without running the task
// (function, file, line where the function begins); taskio's and Asio's own
// frames are left out. Before its first step a task has the one frame
// known: where it was created.
//
// Out of process: tools/taskio-gdb.py (`taskio tasks`) prints the tree
// from a stopped process or a core dump.
//
// Thread safety: call these inside the loop (a task or a loop callback) on
// the loop's thread; they read every task's state.

#ifndef TASKIO_INTROSPECTION_HPP
#define TASKIO_INTROSPECTION_HPP

#include <taskio/config.hpp>
#include <taskio/task.hpp>
#include <taskio/this_task.hpp>

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace taskio {

/// One frame of a call stack.
struct frame_entry {
  std::string function;
  std::string file;
  unsigned line = 0;
};

/// A future or task with its call stack and who awaits it (asyncio's
/// FutureCallGraph).
struct future_call_graph {
  task_ref task;                              // the task (empty for a future, a group, a gather)
  std::string repr;                           // "<Task pending name='...'>", "<gather ...>", "<TaskGroup ...>"
  std::vector<frame_entry> call_stack;        // innermost first
  std::vector<future_call_graph> awaited_by;  // who waits on it (tasks, groups, gather, ...)
};

/// The call graph of task `t` (default: the current task): its call stack
/// and, recursively, what awaits it up to the tasks nobody awaits. A cycle
/// is cut where it closes (the task that closes it appears without its
/// awaiters). `limit` keeps the outermost frames of each call stack.
/// Empty when `t` is empty (outside a task).
/// Exceptions: std::runtime_error "no running event loop" outside a loop.
TASKIO_DECL std::optional<future_call_graph> capture_call_graph(task_ref t = current_task(),
                                                                std::optional<std::size_t> limit = {});

/// capture_call_graph rendered as asyncio 3.14's print_call_graph does:
///
///   * Task(name='worker', id=0x2)
///     + Call stack:
///     |   File 'app.cpp', line 12, in async work()
///     + Awaited by:
///         * Task(name='main', id=0x1)
///           ...
///
/// (a future node reads `* Future(<gather ...>)`). Empty outside a task.
TASKIO_DECL std::string format_call_graph(task_ref t = current_task(), std::optional<std::size_t> limit = {});
/// Writes format_call_graph(t, limit) and a newline to `os` (nothing when empty).
TASKIO_DECL void print_call_graph(std::ostream& os, task_ref t = current_task(),
                                  std::optional<std::size_t> limit = {});

/// dump_tasks layouts: `python -m asyncio ps` and `pstree`, and a Graphviz
/// digraph of the await graph.
enum class dump_format {
  table,  // one row per task: id, name, state, created at, awaits, awaited by
  tree,   // from the tasks nobody awaits down to what each awaits
  dot,    // `digraph taskio { ... }`: a box per task, an ellipse per combinator, an edge per await
};

/// Writes every pending task of the running loop (the calling task too).
/// When the await graph has cycles, the tree layout is replaced by
/// "ERROR: await-graph contains cycles - cannot print a tree!" and one line
/// per cycle; the table lists them after the rows; the digraph draws them.
/// Exceptions: std::runtime_error "no running event loop" outside a loop.
TASKIO_DECL void dump_tasks(std::ostream& os, dump_format f = dump_format::tree);

}  // namespace taskio

#endif  // TASKIO_INTROSPECTION_HPP
