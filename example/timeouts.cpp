//
// example/timeouts.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Timeouts side by side, as asyncio's "Coroutines and Tasks" docs show them:
// wait_for around a coroutine, a timeout scope (asyncio.timeout), a scope
// whose deadline is only known later (reschedule), and shield, which lets
// the shielded work go on when the wait for it times out.
//
//   $ timeouts            (real time: takes about 5 s)
//   $ timeouts --virtual  (the same program in virtual time: instant)
//
// Adapted: asyncio's docs use 10 s timeouts; here they are 1 s so the demo
// stays short. C++ has no `async with`: taskio::async_with(scope, body)
// takes its place, and `except TimeoutError` is `catch (timeout_error&)`.

#include <taskio.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstring>
#include <iomanip>
#include <iostream>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

asio::awaitable<void> eternity() {
  co_await taskio::sleep(1h);  // sleep for one hour
  std::cout << "yay!" << std::endl;
}

asio::awaitable<void> long_running_task() { co_await taskio::sleep(1h); }

/// Seconds of loop time since `start`, for the shield lines.
double since(taskio::clock::time_point start) {
  return std::chrono::duration<double>(taskio::loop_time() - start).count();
}

asio::awaitable<void> write_journal() {
  co_await taskio::sleep(2s);  // some work that must not be torn in half
}

asio::awaitable<void> main_task() {
  // 1. wait_for: wait for at most 1 second.
  try {
    co_await taskio::wait_for(eternity(), 1s);
  } catch (const taskio::timeout_error&) {
    std::cout << "timeout!" << std::endl;
  }

  // 2. timeout(): a deadline around a block of code.
  try {
    co_await taskio::async_with(taskio::timeout(1s), [](taskio::timeout_scope&) -> asio::awaitable<void> {
      co_await long_running_task();
    });
  } catch (const taskio::timeout_error&) {
    std::cout << "The long operation timed out, but we've handled it." << std::endl;
  }
  std::cout << "This statement will run regardless." << std::endl;

  // 3. reschedule: we do not know the timeout when starting, so we pass none.
  // The caller keeps the scope (an lvalue) to ask expired() afterwards.
  taskio::timeout_scope cm = taskio::timeout(std::nullopt);
  try {
    co_await taskio::async_with(cm, [](taskio::timeout_scope& cm) -> asio::awaitable<void> {
      // We know the timeout now, so we reschedule it.
      cm.reschedule(taskio::loop_time() + 1s);
      co_await long_running_task();
    });
  } catch (const taskio::timeout_error&) {
  }
  if (cm.expired()) std::cout << "Looks like we haven't finished on time." << std::endl;

  // 4. shield: the wait gives up after 1 s, the shielded work goes on.
  const auto start = taskio::loop_time();
  auto journal = taskio::create_task(write_journal(), "journal");
  try {
    co_await taskio::wait_for(taskio::shield(journal), 1s);
  } catch (const taskio::timeout_error&) {
    std::cout << std::fixed << std::setprecision(1) << "gave up waiting for the journal after " << since(start)
              << " s; journal.cancelled() = " << std::boolalpha << journal.cancelled() << std::endl;
  }
  co_await journal.async_wait();
  std::cout << "the journal write went on and finished at " << since(start) << " s" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  const bool virtual_time = argc > 1 && std::strcmp(argv[1], "--virtual") == 0;
  // exit status: 0, 130 after Ctrl-C, 1 after an uncaught exception
  return taskio::run_main(main_task(), {.virtual_time = virtual_time});
}
