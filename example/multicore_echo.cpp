//
// example/multicore_echo.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Past one core: one event loop per core. Each loop is an io_context run by
// its own thread (taskio::loop_thread), with its own
// listening socket on the same port (SO_REUSEPORT: the kernel spreads new
// connections across them) and its own copy of the echo service. The loops
// share nothing: no locks, no cross-thread wake-ups on the hot path, and
// each connection stays on the loop that accepted it.
//
//   $ multicore_echo --port 7000 [--threads N]     # N defaults to the number of cores
//   $ echo_client --port 7000 -c 200 -d 10         # in another terminal
//
// Once a second it prints what each loop served. Ctrl-C stops every loop
// gracefully (the cancellation of main reaches each loop's task).

#include "common/command_line.hpp"
#include "common/console_log.hpp"
#include "echo/server.hpp"

#include <taskio.hpp>

#include <iomanip>
#include <iostream>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* usage = "usage: multicore_echo [--port P] [--threads N]\n";

/// Every second with traffic: connections and MB/s (in) per loop.
asio::awaitable<void> show_loops(const std::vector<echo::server_stats>& stats) {
  std::vector<std::uint64_t> before(stats.size());
  for (;;) {
    co_await taskio::sleep(std::chrono::seconds(1));
    std::ostringstream line;
    bool busy = false;
    for (std::size_t i = 0; i < stats.size(); ++i) {
      const std::uint64_t bytes = stats[i].bytes_in.value();
      busy |= bytes != before[i];
      line << (i ? " | " : "") << "loop " << i << ": " << stats[i].active.value() << " conns " << std::fixed
           << std::setprecision(1) << static_cast<double>(bytes - before[i]) / 1e6 << " MB/s";
      before[i] = bytes;
    }
    if (busy) std::cout << line.str() << std::endl;
  }
}

asio::awaitable<void> multicore(unsigned short port, std::size_t threads) {
  const echo::options options;                     // the defaults
  std::vector<echo::server_stats> stats(threads);  // one per loop
  tcp::acceptor acceptor =
      echo::listen(co_await asio::this_coro::executor, {asio::ip::address_v4::loopback(), port}, true);
  std::cout << "listening " << acceptor.local_endpoint() << " on " << threads << " loops" << std::endl;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
    group.create_task(show_loops(stats), "show-loops");
    co_await echo::serve_on_threads(std::move(acceptor), options, stats);
  });
}

}  // namespace

int main(int argc, char** argv) {
  examples::command_line args(argc, argv, usage);
  const auto port = args.get<unsigned short>("--port", 7000);
  const auto threads = args.get<std::size_t>("--threads", std::max(1u, std::thread::hardware_concurrency()));
  args.done();
  if (threads == 0) args.fail("--threads must be at least 1");

  examples::log_to_console(boost::log::trivial::warning);
  // Ctrl-C or SIGTERM: every loop finishes, then 130 / 143; 1 after an error
  return taskio::run_main(multicore(port, threads), {.stop_signals = {SIGINT, SIGTERM}});
}
