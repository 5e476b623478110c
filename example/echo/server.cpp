//
// example/echo/server.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include "echo/server.hpp"

#include "echo/connection_limit.hpp"
#include "echo/log.hpp"

#include <taskio/async_with.hpp>
#include <taskio/exceptions.hpp>
#include <taskio/loop_thread.hpp>
#include <taskio/sleep.hpp>
#include <taskio/task_group.hpp>
#include <taskio/use_task.hpp>

#include <cerrno>
#include <optional>
#include <sstream>

#include <sys/socket.h>

namespace echo {

std::string to_string(const tcp::endpoint& ep) {
  std::ostringstream os;
  os << ep;
  return os.str();
}

tcp::acceptor listen(const asio::any_io_executor& ex, const tcp::endpoint& ep, bool reuse_port) {
  tcp::acceptor acceptor(ex, ep.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  if (reuse_port) {
    const int on = 1;
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
      throw boost::system::system_error(errno, boost::system::system_category(), "setsockopt(SO_REUSEPORT)");
  }
  acceptor.bind(ep);
  acceptor.listen();
  return acceptor;
}

namespace {

/// The body of a connection's task; `slot` is held until the task ends.
asio::awaitable<void> connection(tcp::socket socket, [[maybe_unused]] connection_limit::slot slot,
                                 const options& opts, server_stats& stats, examples::graceful_shutdown& shutdown) {
  session s(std::move(socket), opts, stats, shutdown);
  co_await s.run();
}

/// Accepts one connection; none after an error that may go away (too many
/// open files, ...), which is logged.
asio::awaitable<std::optional<tcp::socket>> accept(tcp::acceptor& acceptor) {
  try {
    co_return co_await acceptor.async_accept(taskio::use_task);
  } catch (const boost::system::system_error& e) {
    if (taskio::is_cancellation(std::current_exception()) || !acceptor.is_open()) throw;
    ECHO_LOG(warning) << "accept failed: " << e.code().message();
  }
  co_return std::nullopt;
}

/// Accepts connections and starts a session for each, until cancelled.
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, connection_limit& limit, const options& opts,
                                  server_stats& stats, examples::graceful_shutdown& shutdown) {
  ECHO_LOG(debug) << "accepting on " << acceptor.local_endpoint();
  for (;;) {
    connection_limit::slot slot = co_await limit.acquire();
    std::optional<tcp::socket> socket = co_await accept(acceptor);
    if (!socket) {
      co_await taskio::sleep(std::chrono::milliseconds(100));  // do not spin while out of descriptors
      continue;
    }
    stats.accepted += 1;
    boost::system::error_code ec;
    socket->set_option(tcp::no_delay(true), ec);
    const tcp::endpoint peer = socket->remote_endpoint(ec);
    shutdown.start(connection(std::move(*socket), std::move(slot), opts, stats, shutdown), "conn-" + to_string(peer));
  }
}

}  // namespace

asio::awaitable<void> serve(tcp::acceptor acceptor, const options& opts, server_stats& stats) {
  connection_limit limit(opts.max_connections);  // its slots are held by the connections: outlives them
  examples::graceful_shutdown shutdown(opts.drain_timeout);
  try {
    co_await shutdown.serve(acceptor, accept_loop(acceptor, limit, opts, stats, shutdown));
  } catch (...) {
    if (shutdown.cancelled() > 0)
      ECHO_LOG(warning) << "stopped: " << shutdown.cancelled() << " connection(s) cancelled at the drain deadline";
    throw;
  }
}

asio::awaitable<void> serve_on_threads(tcp::acceptor acceptor, const options& opts, std::vector<server_stats>& stats) {
  const tcp::endpoint local = acceptor.local_endpoint();
  std::vector<taskio::loop_thread> loops(stats.size() - 1);
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
    for (std::size_t i = 0; i < loops.size(); ++i) {
      tcp::acceptor other = listen(loops[i].get_executor(), local, true);
      group.create_task(loops[i].run(serve(std::move(other), opts, stats[i + 1]), "loop-" + std::to_string(i + 1)));
    }
    co_await serve(std::move(acceptor), opts, stats[0]);
  });
}

}  // namespace echo
