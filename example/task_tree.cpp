//
// example/task_tree.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// "Which task is waiting on what" (doc/introspection.md): a small server
// shape (main awaits a task group of two sessions; one session awaits a
// gather of two lookups, the other a shielded commit), then a watchdog task
// prints the call graph of one lookup and every task of the loop, as
// asyncio 3.14's print_call_graph and `python -m asyncio ps / pstree` do.
// With --dot it prints the await graph as a Graphviz digraph instead.
//
//   $ task_tree
//   $ task_tree --dot | dot -Tpng -o task_tree.png

#include <taskio.hpp>

#include <cstring>
#include <iostream>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

taskio::task<void> lookup_a;
bool dot_only = false;  // --dot

asio::awaitable<void> lookup(std::chrono::milliseconds d) { co_await taskio::sleep(d); }

asio::awaitable<void> session_1() {
  lookup_a = taskio::create_task(lookup(500ms), "lookup-a");
  auto b = taskio::create_task(lookup(600ms), "lookup-b");
  co_await taskio::gather(lookup_a, b);
}

asio::awaitable<void> commit() { co_await taskio::sleep(700ms); }

asio::awaitable<void> session_2() { co_await taskio::shield(taskio::create_task(commit(), "commit")); }

asio::awaitable<void> watchdog() {
  co_await taskio::sleep(100ms);
  if (dot_only) {
    taskio::dump_tasks(std::cout, taskio::dump_format::dot);
    co_return;
  }
  std::cout << "--- print_call_graph(lookup-a)\n";
  taskio::print_call_graph(std::cout, lookup_a);
  std::cout << "--- dump_tasks(tree)\n";
  taskio::dump_tasks(std::cout, taskio::dump_format::tree);
  std::cout << "--- dump_tasks(table)\n";
  taskio::dump_tasks(std::cout, taskio::dump_format::table);
}

asio::awaitable<void> serve() {
  taskio::current_task().set_name("main");
  co_await taskio::async_with(taskio::task_group{}, [](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(session_1(), "session-1");
    tg.create_task(session_2(), "session-2");
    tg.create_task(watchdog(), "watchdog");
    co_return;
  });
}

}  // namespace

int main(int argc, char** argv) {
  dot_only = argc > 1 && std::strcmp(argv[1], "--dot") == 0;
  return taskio::run_main(serve(), {.virtual_time = true});
}
