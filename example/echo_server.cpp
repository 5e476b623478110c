//
// example/echo_server.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A TCP echo server: echo_service.hpp's serve() under taskio::run, with
// options, a Boost.Log console sink and a graceful stop.
//
//   $ echo_server --port 0                       # prints "listening 127.0.0.1:<port>"
//   $ echo_server --port 7000 --threads 2 --idle-timeout 30 --max-conns 1000 -v
//
// Stopping: Ctrl-C (taskio::run cancels main) or SIGTERM (cancel_on_sigterm
// below cancels main the same way). The cancellation reaches the accept
// loops (the listening sockets close) and every connection, which stops
// reading, delivers the echo of what it already read (within 2 s) and
// closes. Then the counters are logged and the process exits with 0.

#include "echo_service.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <iostream>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* usage =
    "usage: echo_server [--port P] [--bind ADDR] [--idle-timeout S] [--max-conns N] [--threads N] [-v]\n"
    "  --port P          TCP port; 0: any free port (default 7000)\n"
    "  --bind ADDR       address to listen on (default 127.0.0.1)\n"
    "  --idle-timeout S  close connections idle for S seconds; 0: never (default 60)\n"
    "  --max-conns N     connections served at once; more wait in the backlog (default 10000)\n"
    "  --threads N       event loops, one per thread, SO_REUSEPORT (default 1)\n"
    "  -v                log every connection (debug)\n"
    "Prints \"listening <addr>:<port>\" on stdout once ready. Ctrl-C or SIGTERM: graceful stop, exit 0.\n";

struct config {
  tcp::endpoint endpoint;
  std::size_t threads = 1;
  echo::options service;
};

/// SIGTERM does what Ctrl-C does: it cancels `main`.
asio::awaitable<void> cancel_on_sigterm(taskio::task_ref main) {
  asio::signal_set sigterm(co_await asio::this_coro::executor, SIGTERM);
  co_await sigterm.async_wait(taskio::use_task);
  ECHO_LOG(info) << "SIGTERM: shutting down";
  main.cancel("SIGTERM");
}

asio::awaitable<void> server(const config& cfg, std::vector<echo::server_stats>& stats) {
  taskio::current_task().set_name("main");  // the "Task" of its log records
  tcp::acceptor acceptor = echo::listen(co_await asio::this_coro::executor, cfg.endpoint, cfg.threads > 1);
  std::cout << "listening " << acceptor.local_endpoint() << std::endl;  // flushed: scripts wait for it
  ECHO_LOG(info) << "serving on " << cfg.threads << " loop(s), at most " << cfg.service.max_connections
                 << " connections";
  try {
    co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
      group.create_task(cancel_on_sigterm(taskio::current_task()), "sigterm");
      co_await echo::serve_on_threads(std::move(acceptor), cfg.service, stats);
    });
  } catch (...) {  // serve() only ends by an exception; log, then let it go
    echo::server_counts total;
    for (const auto& s : stats) total += s.counts();
    ECHO_LOG(info) << "stopped: " << total;
    throw;
  }
}

}  // namespace

int main(int argc, char** argv) {
  echo::command_line args(argc, argv, usage);
  config cfg;
  try {
    cfg.endpoint = {asio::ip::make_address(args.get<std::string>("--bind", "127.0.0.1")),
                    args.get<unsigned short>("--port", 7000)};
  } catch (const boost::system::system_error& e) {
    args.fail(std::string("bad --bind address: ") + e.what());
  }
  if (const auto idle = args.seconds("--idle-timeout", 60); idle > idle.zero()) cfg.service.idle_timeout = idle;
  else cfg.service.idle_timeout.reset();
  cfg.service.max_connections = args.get<std::size_t>("--max-conns", cfg.service.max_connections);
  cfg.threads = args.get<std::size_t>("--threads", 1);
  const bool verbose = args.flag("-v");
  args.done();
  if (cfg.service.max_connections == 0 || cfg.threads == 0) args.fail("--max-conns and --threads must be at least 1");

  echo::log_to_console(verbose ? boost::log::trivial::debug : boost::log::trivial::info);
  std::vector<echo::server_stats> stats(cfg.threads);
  try {
    taskio::run(server(cfg, stats));
  } catch (const taskio::keyboard_interrupt&) {
    // Ctrl-C: main was cancelled and every connection has finished
  } catch (const taskio::cancelled_error&) {
    // SIGTERM: the same
  } catch (const std::exception& e) {
    std::cerr << "echo_server: " << echo::message(e) << std::endl;
    return 1;
  }
  return 0;
}
