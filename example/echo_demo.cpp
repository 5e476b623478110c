//
// example/echo_demo.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The echo service in one process: the server (echo/server.hpp's serve())
// on one event loop and thread, the load client (run_load()) on another,
// over real sockets on 127.0.0.1. After the load it shuts the server down
// gracefully, the way Ctrl-C does in echo_server: by cancelling its task.
//
//   $ echo_demo                    # 3 s, 50 connections, 64-byte messages
//   $ echo_demo -d 10 -c 200 -s 1024

#include "common/command_line.hpp"
#include "common/console_log.hpp"
#include "echo/load_client.hpp"
#include "echo/server.hpp"

#include <taskio.hpp>

#include <boost/asio/as_tuple.hpp>

#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* usage = "usage: echo_demo [-d SECONDS] [-c CONNECTIONS] [-s MESSAGE_BYTES]\n";

double milliseconds_since(taskio::clock::time_point t) {
  return std::chrono::duration<double, std::milli>(taskio::loop_time() - t).count();
}

/// Shuts the server down while `idle` connections are open, and shows that
/// each of them then reads end-of-file.
asio::awaitable<void> shut_down(taskio::task<void> server, const echo::server_stats& stats,
                                std::vector<tcp::socket>& idle) {
  std::cout << "shutting down: cancelling the server task with " << stats.active.value()
            << " connections open" << std::endl;
  const taskio::clock::time_point start = taskio::loop_time();
  server.cancel("demo finished");
  try {
    co_await server.async_wait();
  } catch (const taskio::cancelled_error& e) {
    std::cout << "server stopped in " << std::fixed << std::setprecision(1) << milliseconds_since(start) << " ms ("
              << e.what() << ")\nserver: " << stats.counts() << std::endl;
  }
  for (tcp::socket& s : idle) {
    char byte;
    [[maybe_unused]] auto [ec, n] = co_await s.async_read_some(asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
    std::cout << "  an open connection reads: " << (ec == asio::error::eof ? "end-of-file" : ec.message())
              << std::endl;
  }
}

asio::awaitable<void> demo(const echo::load_options& load) {
  taskio::loop_thread server_loop;
  tcp::acceptor acceptor = echo::listen(server_loop.get_executor(), {asio::ip::address_v4::loopback(), 0});
  const tcp::endpoint address = acceptor.local_endpoint();
  const echo::options options;  // the defaults
  echo::server_stats stats;     // written by the server's thread, read here
  std::cout << "echo server on " << address << ", on its own loop and thread\n"
            << "load client: " << load.connections << " connections, " << load.message_size << "-byte messages, "
            << std::chrono::duration<double>(load.duration).count() << " s, on this thread" << std::endl;

  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
    taskio::task<void> server =
        group.create_task(server_loop.run(echo::serve(std::move(acceptor), options, stats), "server"), "server");
    echo::load_report report;
    co_await echo::run_load(address, load, report);
    std::cout << "\nclient: " << report << std::endl;

    std::vector<tcp::socket> idle;  // connections that stay open across the shutdown
    for (int i = 0; i < 3; ++i) {
      tcp::socket& s = idle.emplace_back(co_await asio::this_coro::executor);
      co_await s.async_connect(address, taskio::use_task);
      char hi[2] = {'h', 'i'};
      co_await echo::exchange(s, hi, hi);  // served: the server has accepted it
    }
    co_await shut_down(server, stats, idle);
  });
}

}  // namespace

int main(int argc, char** argv) {
  examples::command_line args(argc, argv, usage);
  echo::load_options load;
  load.duration = args.seconds("-d", 3);
  load.connections = args.get("-c", load.connections);
  load.message_size = args.get("-s", load.message_size);
  args.done();
  if (load.connections == 0 || load.message_size == 0 || load.message_size > (1u << 20))
    args.fail("-c must be at least 1 and -s within 1..1048576");

  examples::log_to_console(boost::log::trivial::warning);
  return taskio::run_main(demo(load));  // 0, 130 after Ctrl-C, 1 after an error (on stderr)
}
