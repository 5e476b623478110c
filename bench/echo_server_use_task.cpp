//
// bench/echo_server_use_task.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The echo benchmark's "taskio-use-task" server: the reference server
// /work/shared/bench/src/echo_server_asio_coro.cpp line for line, written
// as a taskio program. One task per connection (taskio::create_task instead
// of co_spawn) and taskio::use_task on every operation (accept, read, write)
// instead of asio::use_awaitable, so each operation pays what use_task adds
// (its cancellation bookkeeping, one coroutine frame) and each resumption
// goes through the task's step hook. bench/echo_bench.sh compares its server
// CPU per request with the plain Asio coroutine server's.
//
// usage: bench_echo_server_use_task PORT    (PORT 0 = pick a free port)
// Prints "listening 127.0.0.1:<port>" once ready; serves until killed.

#include <taskio/create_task.hpp>
#include <taskio/use_task.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t buffer_size = 16384;

asio::awaitable<void> echo_session(tcp::socket sock) {
  std::array<char, buffer_size> buf;  // lives in the coroutine frame, as in the reference
  try {
    for (;;) {
      const std::size_t n = co_await sock.async_read_some(asio::buffer(buf), taskio::use_task);
      co_await asio::async_write(sock, asio::buffer(buf.data(), n), taskio::use_task);
    }
  } catch (const boost::system::system_error&) {
    // peer closed or reset: end of session
  }
}

asio::awaitable<void> listener(tcp::acceptor acceptor) {
  for (;;) {
    tcp::socket sock = co_await acceptor.async_accept(taskio::use_task);
    boost::system::error_code ec;
    sock.set_option(tcp::no_delay(true), ec);
    taskio::create_task(echo_session(std::move(sock)));  // the handle is dropped: the task runs on
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 64;
  }
  const auto port = static_cast<unsigned short>(std::strtoul(argv[1], nullptr, 10));
  asio::io_context io(1);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), port));
  std::printf("listening 127.0.0.1:%u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  taskio::create_task(io.get_executor(), listener(std::move(acceptor)));
  io.run();
}
