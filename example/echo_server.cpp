//
// example/echo_server.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A TCP echo server: echo/server.hpp's serve() under taskio::run, with
// options, a Boost.Log console sink and a graceful stop.
//
//   $ echo_server --port 0                       # prints "listening 127.0.0.1:<port>"
//   $ echo_server --port 7000 --threads 2 --idle-timeout 30 --max-conns 1000 -v
//
// Stopping: Ctrl-C or SIGTERM (run_options::stop_signals: either cancels
// main), a graceful stop (common/graceful_shutdown.hpp) on every loop: the
// listening sockets close at once (new clients are refused); each
// connection stops reading, delivers the echo of what it already read, sends
// FIN and closes once the client has it; connections still running after
// --drain-timeout (a client that does not read) are cancelled. Then the
// counters are logged and main returns 0: a drained stop is a success (exit
// status 0). A second signal during the drain ends the process at once
// (130 / 143).

#include "common/command_line.hpp"
#include "common/console_log.hpp"
#include "echo/log.hpp"
#include "echo/server.hpp"

#include <taskio.hpp>

#include <csignal>
#include <iostream>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* usage =
    "usage: echo_server [--port P] [--bind ADDR] [--idle-timeout S] [--drain-timeout S] [--max-conns N]\n"
    "                   [--threads N] [-v]\n"
    "  --port P          TCP port; 0: any free port (default 7000)\n"
    "  --bind ADDR       address to listen on (default 127.0.0.1)\n"
    "  --idle-timeout S  close connections idle for S seconds; 0: never (default 60)\n"
    "  --drain-timeout S on a stop, the time connections get to deliver their echo (default 2)\n"
    "  --max-conns N     connections served at once; more wait in the backlog (default 10000)\n"
    "  --threads N       event loops, one per thread, SO_REUSEPORT (default 1)\n"
    "  -v                log every connection (debug)\n"
    "Prints \"listening <addr>:<port>\" on stdout once ready. Ctrl-C or SIGTERM: graceful stop (new\n"
    "clients refused; each connection echoes what it read, then closes; those still running after the\n"
    "drain timeout are cancelled), then exit 0; a second signal during the stop: at once, 130 / 143.\n";

struct config {
  tcp::endpoint endpoint;
  std::size_t threads = 1;
  echo::options service;
};

asio::awaitable<int> server(const config& cfg, std::vector<echo::server_stats>& stats) {
  taskio::current_task().set_name("main");  // the "Task" of its log records
  tcp::acceptor acceptor = echo::listen(co_await asio::this_coro::executor, cfg.endpoint, cfg.threads > 1);
  std::cout << "listening " << acceptor.local_endpoint() << std::endl;  // flushed: scripts wait for it
  ECHO_LOG(info) << "serving on " << cfg.threads << " loop(s), at most " << cfg.service.max_connections
                 << " connections";
  const auto log_totals = [&] {
    echo::server_counts total;
    for (const auto& s : stats) total += s.counts();
    ECHO_LOG(info) << "stopped: " << total;
  };
  try {
    co_await echo::serve_on_threads(std::move(acceptor), cfg.service, stats);
  } catch (...) {
    log_totals();
    // a stop signal's cancellation: every connection has drained, a success;
    // an error: let it go (exit status 1)
    if (!taskio::is_cancellation(std::current_exception())) throw;
  }
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  examples::command_line args(argc, argv, usage);
  config cfg;
  try {
    cfg.endpoint = {asio::ip::make_address(args.get<std::string>("--bind", "127.0.0.1")),
                    args.get<unsigned short>("--port", 7000)};
  } catch (const boost::system::system_error& e) {
    args.fail(std::string("bad --bind address: ") + e.what());
  }
  if (const auto idle = args.seconds("--idle-timeout", 60); idle > idle.zero()) cfg.service.idle_timeout = idle;
  else cfg.service.idle_timeout.reset();
  cfg.service.drain_timeout = args.seconds("--drain-timeout", 2);
  cfg.service.max_connections = args.get<std::size_t>("--max-conns", cfg.service.max_connections);
  cfg.threads = args.get<std::size_t>("--threads", 1);
  const bool verbose = args.flag("-v");
  args.done();
  if (cfg.service.max_connections == 0 || cfg.threads == 0) args.fail("--max-conns and --threads must be at least 1");

  examples::log_to_console(verbose ? boost::log::trivial::debug : boost::log::trivial::info);
  std::vector<echo::server_stats> stats(cfg.threads);
  return taskio::run_main(server(cfg, stats), {.stop_signals = {SIGINT, SIGTERM}});
}
