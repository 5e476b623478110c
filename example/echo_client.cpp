//
// example/echo_client.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A load client for the echo server (echo/load_client.hpp's run_load): -c
// connections, each sending an -s byte message and waiting for its whole
// echo, every request under taskio::wait_for, every byte checked; for -d
// seconds or -n requests per connection. Shows a progress line, then a
// summary: requests/s, MB/s, latency percentiles, errors, mismatches.
//
//   $ echo_server --port 7000 &
//   $ echo_client --port 7000 -c 50 -s 64 -d 5
//
// Ctrl-C stops the load at once and still prints the summary (exit 130).
// Exit status 1 if a request failed or an echo differed.

#include "common/command_line.hpp"
#include "common/console_log.hpp"
#include "echo/load_client.hpp"

#include <taskio.hpp>

#include <iomanip>
#include <iostream>

#include <unistd.h>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* usage =
    "usage: echo_client [--host H] [--port P] [-c CONNS] [-s BYTES] [-d SECONDS | -n REQUESTS] [--timeout S]\n"
    "  --host H      server (default 127.0.0.1)      --port P   (default 7000)\n"
    "  -c CONNS      concurrent connections (default 50)\n"
    "  -s BYTES      message size, 1..1048576 (default 64)\n"
    "  -d SECONDS    run for this long (default 3), or\n"
    "  -n REQUESTS   send this many messages per connection\n"
    "  --timeout S   a request failing after S seconds is an error (default 5)\n";

const bool on_terminal = ::isatty(STDOUT_FILENO) != 0;

/// Once a second: requests so far and the rate of the last second,
/// rewritten in place on a terminal, one line each otherwise.
asio::awaitable<void> show_progress(const echo::load_report& report) {
  for (std::uint64_t before = report.requests;; before = report.requests) {
    co_await taskio::sleep(std::chrono::seconds(1));
    std::cout << (on_terminal ? "\r" : "") << std::fixed << std::setprecision(1) << report.seconds() << " s: "
              << report.requests << " requests, " << (report.requests - before) << "/s, " << report.errors
              << " errors, " << report.mismatches << " mismatches" << (on_terminal ? "\033[K" : "\n")
              << std::flush;
  }
}

asio::awaitable<void> client(std::string host, std::string port, const echo::load_options& opts,
                             echo::load_report& report) {
  tcp::resolver resolver(co_await asio::this_coro::executor);
  const tcp::endpoint server = *(co_await resolver.async_resolve(host, port, taskio::use_task)).begin();
  std::cout << "echo_client: " << opts.connections << " connections to " << server << std::endl;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
    taskio::task<void> progress = group.create_task(show_progress(report), "progress");
    co_await echo::run_load(server, opts, report);
    progress.cancel();
  });
}

}  // namespace

int main(int argc, char** argv) {
  examples::command_line args(argc, argv, usage);
  const auto host = args.get<std::string>("--host", "127.0.0.1");
  const auto port = args.get<std::string>("--port", "7000");
  echo::load_options opts;
  opts.connections = args.get("-c", opts.connections);
  opts.message_size = args.get("-s", opts.message_size);
  opts.duration = args.seconds("-d", 3);
  if (const auto n = args.get<std::uint64_t>("-n", 0)) opts.requests = n;
  opts.request_timeout = args.seconds("--timeout", 5);
  args.done();
  if (opts.connections == 0 || opts.message_size == 0 || opts.message_size > (1u << 20))
    args.fail("-c must be at least 1 and -s within 1..1048576");

  examples::log_to_console(boost::log::trivial::warning);
  echo::load_report report;
  // 0, 130 after Ctrl-C (the report so far is still printed), 1 after an error (on stderr)
  int status = taskio::run_main(client(host, port, opts, report));
  if (status == 1) return 1;
  if (on_terminal) std::cout << "\r\033[K";
  std::cout << report << std::flush;
  if (status == 0 && (report.errors || report.mismatches || report.requests == 0)) status = 1;
  return status;
}
