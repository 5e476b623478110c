//
// example/hello_task.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The first examples of asyncio's "Coroutines and Tasks" documentation, in
// taskio: running coroutines concurrently with create_task, then the same
// with a task group, cancelling a task with a message, task names. Prints
// the same lines as asyncio's docs.
//
//   $ hello_task            (real time: takes about 5 s)
//   $ hello_task --virtual  (the same program in virtual time: instant)

#include <taskio.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstring>
#include <ctime>
#include <iostream>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::string clock_time() {
  std::time_t t = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%X", std::localtime(&t));
  return buf;
}

asio::awaitable<void> say_after(taskio::clock::duration delay, std::string what) {
  co_await taskio::sleep(delay);
  std::cout << what << std::endl;
}

asio::awaitable<void> cancel_me() {
  std::cout << "cancel_me(): before sleep" << std::endl;
  try {
    co_await taskio::sleep(1h);
  } catch (const taskio::cancelled_error& e) {
    std::cout << "cancel_me(): cancel sleep (message: '" << e.message() << "')" << std::endl;
    std::cout << "cancel_me(): after sleep" << std::endl;
    throw;
  }
}

asio::awaitable<void> main_task() {
  // Running tasks concurrently: both sleeps overlap, so this takes 2 s, not 3.
  auto task1 = taskio::create_task(say_after(1s, "hello"));
  auto task2 = taskio::create_task(say_after(2s, "world"), "world-sayer");
  std::cout << "started at " << clock_time() << std::endl;
  co_await task1.async_wait();
  co_await task2.async_wait();
  std::cout << "finished at " << clock_time() << std::endl;
  std::cout << "the tasks were named " << task1.get_name() << " and " << task2.get_name() << std::endl;

  // The same with a task group (asyncio.TaskGroup): no handles to await, the
  // await is implicit when the group exits.
  co_await taskio::async_with(taskio::task_group{}, [](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(say_after(1s, "hello"));
    tg.create_task(say_after(2s, "world"));
    std::cout << "started at " << clock_time() << std::endl;
    co_return;
  });
  std::cout << "finished at " << clock_time() << std::endl;

  // Cancellation: a request with a message, delivered once inside the task.
  auto task = taskio::create_task(cancel_me(), "cancel_me");
  co_await taskio::sleep(1s);
  task.cancel("stop it");
  try {
    co_await task.async_wait();
  } catch (const taskio::cancelled_error&) {
    std::cout << "main(): cancel_me is cancelled now: " << task.repr() << ", cancelling()=" << task.cancelling()
              << std::endl;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool virtual_time = argc > 1 && std::strcmp(argv[1], "--virtual") == 0;
  // exit status: 0, 130 after Ctrl-C, 1 after an uncaught exception
  return taskio::run_main(main_task(), {.virtual_time = virtual_time});
}
