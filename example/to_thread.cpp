//
// example/to_thread.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio's to_thread example: a blocking function runs on the loop's thread
// pool while the loop goes on (here a ticker task keeps ticking every
// 100 ms); the awaiting task resumes on the loop thread with the result.
//
//   $ to_thread   (real time: takes about 1 s; a virtual-time loop would not
//                  wait for the thread, see taskio/to_thread.hpp)
//
// Prints asyncio's four lines, then what C++ can show beyond them: which
// thread ran what, and how often the loop ticked meanwhile.

#include <taskio.hpp>
#include <taskio/to_thread.hpp>

#include <boost/asio/awaitable.hpp>

#include <ctime>
#include <iostream>
#include <string>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::string clock_time() {
  std::time_t t = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%X", std::localtime(&t));
  return buf;
}

/// Any blocking call: file I/O, a C library without async API, ...
/// Returns the id of the thread it ran on.
std::thread::id blocking_io() {
  std::cout << "start blocking_io at " << clock_time() << std::endl;
  std::this_thread::sleep_for(1s);
  std::cout << "blocking_io complete at " << clock_time() << std::endl;
  return std::this_thread::get_id();
}

/// Runs until cancelled; counts its ticks.
asio::awaitable<void> ticker(int& ticks) {
  for (;;) {
    co_await taskio::sleep(100ms);
    ++ticks;
  }
}

asio::awaitable<void> main_task() {
  const auto loop_thread = std::this_thread::get_id();
  int ticks = 0;
  auto tick_task = taskio::create_task(ticker(ticks), "ticker");

  std::cout << "started main at " << clock_time() << std::endl;
  const std::thread::id io_thread =
      std::get<0>(co_await taskio::gather(taskio::to_thread(blocking_io), taskio::sleep(1s)));
  std::cout << "finished main at " << clock_time() << std::endl;

  tick_task.cancel();
  std::cout << std::boolalpha << "blocking_io ran on a pool thread: " << (io_thread != loop_thread) << '\n'
            << "main resumed on the loop thread: " << (std::this_thread::get_id() == loop_thread) << '\n'
            << "the loop ticked " << ticks << " times (every 100 ms) while blocking_io blocked its thread"
            << std::endl;
}

}  // namespace

int main() {
  return taskio::run_main(main_task());  // 0, 130 after Ctrl-C, 1 after an uncaught exception
}
