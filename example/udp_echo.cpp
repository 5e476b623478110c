//
// example/udp_echo.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// UDP echo, server and client in one file. The server sends every datagram
// back to its sender. The client sends -n numbered datagrams one at a time
// and waits for each reply under taskio::wait_for: UDP may lose datagrams,
// so a reply that does not come in time counts as lost, and a late one
// (an older number) is skipped.
//
//   $ udp_echo --server --port 7001                 # until Ctrl-C
//   $ udp_echo --client --port 7001 -n 1000 -s 512
//   $ udp_echo                                      # both, in one process

#include "common/command_line.hpp"
#include "common/console_log.hpp"

#include <taskio.hpp>

#include <boost/asio/ip/udp.hpp>

#include <array>
#include <cstring>
#include <iostream>
#include <vector>

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

constexpr const char* usage =
    "usage: udp_echo [--server | --client] [--port P] [-n DATAGRAMS] [-s BYTES] [--timeout S]\n"
    "  no mode: a server and a client in one process; --port 0 (the default) picks a free port\n"
    "  -n 1000 datagrams of -s 512 bytes (8..65507), each reply awaited for --timeout 1 s\n";

asio::awaitable<void> server(udp::socket& socket) {
  std::array<char, 65536> datagram;
  udp::endpoint sender;
  for (;;) {
    const std::size_t n = co_await socket.async_receive_from(asio::buffer(datagram), sender, taskio::use_task);
    co_await socket.async_send_to(asio::buffer(datagram.data(), n), sender, taskio::use_task);
  }
}

struct client_report {
  std::uint64_t echoed = 0, lost = 0, mismatches = 0, late = 0;
};

/// Receives until the reply to datagram `seq` arrives (older ones are late).
asio::awaitable<void> receive_reply(udp::socket& socket, std::uint64_t seq, const std::vector<char>& sent,
                                    std::vector<char>& reply, client_report& report) {
  for (;;) {
    const std::size_t n = co_await socket.async_receive(asio::buffer(reply), taskio::use_task);
    std::uint64_t got = 0;
    if (n >= sizeof got) std::memcpy(&got, reply.data(), sizeof got);
    if (n >= sizeof got && got < seq) {
      report.late += 1;
      continue;
    }
    if (n != sent.size() || std::memcmp(reply.data(), sent.data(), n) != 0) report.mismatches += 1;
    co_return;
  }
}

asio::awaitable<client_report> client(udp::endpoint server, std::uint64_t count, std::size_t size,
                                      taskio::clock::duration timeout) {
  udp::socket socket(co_await asio::this_coro::executor, server.protocol());
  socket.connect(server);  // receive() then only accepts the server's datagrams
  std::vector<char> datagram(size, 'u'), reply(65536);
  client_report report;
  for (std::uint64_t seq = 0; seq < count; ++seq) {
    std::memcpy(datagram.data(), &seq, sizeof seq);
    co_await socket.async_send(asio::buffer(datagram), taskio::use_task);
    try {
      co_await taskio::wait_for(receive_reply(socket, seq, datagram, reply, report), timeout);
      report.echoed += 1;
    } catch (const taskio::timeout_error&) {
      report.lost += 1;
    }
  }
  co_return report;
}

struct settings {
  bool serve, send;
  unsigned short port;
  std::uint64_t count;
  std::size_t size;
  taskio::clock::duration timeout;
};

asio::awaitable<void> run_client(udp::endpoint server, const settings& s) {
  const client_report r = co_await client(server, s.count, s.size, s.timeout);
  std::cout << "echoed " << r.echoed << " of " << s.count << " datagrams, lost " << r.lost << ", late " << r.late
            << ", mismatches " << r.mismatches << std::endl;
}

asio::awaitable<void> run(const settings& s) {
  const udp::endpoint address(asio::ip::address_v4::loopback(), s.port);
  if (!s.serve) co_return co_await run_client(address, s);
  udp::socket socket(co_await asio::this_coro::executor, address);
  std::cout << "udp echo server on " << socket.local_endpoint() << std::endl;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
    taskio::task<void> serving = group.create_task(server(socket), "udp-server");
    if (s.send) {
      co_await run_client(socket.local_endpoint(), s);
      serving.cancel();  // the demo is over
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  examples::command_line args(argc, argv, usage);
  const bool server_only = args.flag("--server"), client_only = args.flag("--client");
  const settings s{.serve = !client_only,
                   .send = !server_only,
                   .port = args.get<unsigned short>("--port", 0),
                   .count = args.get<std::uint64_t>("-n", 1000),
                   .size = args.get<std::size_t>("-s", 512),
                   .timeout = args.seconds("--timeout", 1)};
  args.done();
  if (server_only && client_only) args.fail("--server and --client exclude each other");
  if (client_only && s.port == 0) args.fail("--client needs the server's --port");
  if (s.size < 8 || s.size > 65507) args.fail("-s must be within 8..65507");

  examples::log_to_console(boost::log::trivial::warning);
  return taskio::run_main(run(s));  // 0, 130 after Ctrl-C, 1 after an error (on stderr)
}
