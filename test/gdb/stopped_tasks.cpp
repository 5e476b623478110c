//
// test/gdb/stopped_tasks.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The process tools/taskio-gdb.py is tested on (test/gdb/check_gdb.py): a
// known task structure, then the task `stopper` raises SIGTRAP, which stops
// the process under gdb with every other task suspended:
//
//   main      awaits a task group of session, committer, stopper
//   session   awaits gather(fetch-a, fetch-b)    (two sleeping tasks)
//   committer awaits shield(commit)              (a sleeping task)
//   stopper   raises SIGTRAP (running)
//   holder    holds a lock (sleeping)
//   worker    waits for that lock                (parked in its wait queue)
//   collector awaits as_completed(part-a, part-b)'s next()   (two sleeping tasks)
//
// Run outside gdb, SIGTRAP ends it (with a core, where cores are enabled).

#include <taskio.hpp>

#include <csignal>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

asio::awaitable<void> nap() { co_await taskio::sleep(1h); }

asio::awaitable<void> session() {
  auto a = taskio::create_task(nap(), "fetch-a");
  auto b = taskio::create_task(nap(), "fetch-b");
  co_await taskio::gather(a, b);
}

asio::awaitable<void> committer() { co_await taskio::shield(taskio::create_task(nap(), "commit")); }

taskio::lock shared_lock;

asio::awaitable<void> holder() {
  co_await shared_lock.acquire();  // free: taken at once, never released
  co_await nap();
}

asio::awaitable<void> worker() { co_await shared_lock.acquire(); }

asio::awaitable<void> collector() {
  std::vector<taskio::task<void>> parts{taskio::create_task(nap(), "part-a"), taskio::create_task(nap(), "part-b")};
  auto results = taskio::as_completed(parts);
  co_await results.next();
}

asio::awaitable<void> stopper() {
  co_await taskio::sleep(1s);  // everything else is suspended by now
  std::raise(SIGTRAP);         // gdb stops here: `taskio tasks`
}

asio::awaitable<void> serve() {
  taskio::current_task().set_name("main");
  co_await taskio::async_with(taskio::task_group{}, [](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(session(), "session");
    tg.create_task(committer(), "committer");
    tg.create_task(stopper(), "stopper");
    tg.create_task(holder(), "holder");
    tg.create_task(worker(), "worker");
    tg.create_task(collector(), "collector");
    co_return;
  });
}

}  // namespace

int main() { return taskio::run_main(serve(), {.virtual_time = true}); }
