//
// example/display_date.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio's display_date: a coroutine prints the current date every second
// for 5 seconds, timing itself with the loop clock (loop.time() in asyncio,
// taskio::loop_time() here) while the date comes from the wall clock.
//
//   $ display_date   (real time: takes about 4 s, prints 5 dates)
//
// Adapted: Python's datetime.datetime.now() prints local time as
// "YYYY-MM-DD HH:MM:SS.ffffff"; this prints the same format.

#include <taskio.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

/// datetime.datetime.now() as str(): local time with microseconds.
std::string now() {
  const auto t = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1'000'000;
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", std::localtime(&secs));
  char out[48];
  std::snprintf(out, sizeof out, "%s.%06lld", date, static_cast<long long>(micros));
  return out;
}

asio::awaitable<void> display_date() {
  const auto end_time = taskio::loop_time() + 5s;
  for (;;) {
    std::cout << now() << std::endl;
    if (taskio::loop_time() + 1s >= end_time) break;
    co_await taskio::sleep(1s);
  }
}

}  // namespace

int main() {
  return taskio::run_main(display_date());  // 0, 130 after Ctrl-C, 1 after an uncaught exception
}
