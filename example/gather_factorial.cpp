//
// example/gather_factorial.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio's gather example: three factorial computations scheduled
// concurrently, their results collected in argument order.
//
//   $ gather_factorial            (real time: takes about 3 s)
//   $ gather_factorial --virtual  (the same program in virtual time: instant)
//
// Adapted: gather of coroutines returns a std::tuple (one element per
// argument, each of its own type) rather than a list; printed as asyncio
// prints the list.

#include <taskio.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstring>
#include <iostream>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

asio::awaitable<long> factorial(std::string name, int number) {
  long f = 1;
  for (int i = 2; i <= number; ++i) {
    std::cout << "Task " << name << ": Compute factorial(" << number << "), currently i=" << i << "..."
              << std::endl;
    co_await taskio::sleep(1s);
    f *= i;
  }
  std::cout << "Task " << name << ": factorial(" << number << ") = " << f << std::endl;
  co_return f;
}

asio::awaitable<void> main_task() {
  // Schedule three calls *concurrently*:
  auto [a, b, c] = co_await taskio::gather(factorial("A", 2), factorial("B", 3), factorial("C", 4));
  std::cout << "[" << a << ", " << b << ", " << c << "]" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  const bool virtual_time = argc > 1 && std::strcmp(argv[1], "--virtual") == 0;
  // exit status: 0, 130 after Ctrl-C, 1 after an uncaught exception
  return taskio::run_main(main_task(), {.virtual_time = virtual_time});
}
