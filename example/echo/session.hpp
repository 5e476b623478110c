//
// example/echo/session.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// One connection of the echo server, from accept to close.
//
// A connection echoes what it reads: it reads at most buffer_size bytes,
// writes them back, and only then reads again (back-pressure: a peer that
// does not read its echo stops being read). It ends when the peer closes,
// when it has been idle for options::idle_timeout (a timeout_scope that
// every read pushes back), or when it is cancelled (server shutdown): it
// then stops reading, delivers the echo of what it already read within
// options::drain_timeout, and closes.

#ifndef TASKIO_EXAMPLE_ECHO_SESSION_HPP
#define TASKIO_EXAMPLE_ECHO_SESSION_HPP

#include "echo/stats.hpp"

#include <taskio/clock.hpp>
#include <taskio/timeout.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>

namespace echo {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// Bytes a connection reads at once: also what it holds at most (see back-pressure).
inline constexpr std::size_t buffer_size = 16 * 1024;

/// The server's settings.
struct options {
  /// A connection that sends nothing for this long is closed (none: never).
  std::optional<taskio::clock::duration> idle_timeout = std::chrono::seconds(60);
  /// Connections served at once; further clients wait in the listen backlog.
  std::size_t max_connections = 10'000;
  /// On shutdown, the time a connection has to deliver the echo of what it read.
  taskio::clock::duration drain_timeout = std::chrono::seconds(2);
};

class session {
public:
  session(tcp::socket socket, const options& opts, server_stats& stats);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Returns when the peer closed, the connection was idle too long or
  /// failed; throws the cancellation that stopped it (after the drain).
  asio::awaitable<void> run();

private:
  asio::awaitable<void> echo_loop(taskio::timeout_scope& idle);
  void postpone(taskio::timeout_scope& idle);
  asio::awaitable<void> drain();
  int unacknowledged();

  tcp::socket socket_;
  const options& opts_;
  server_stats& stats_;
  std::span<const char> unsent_;  // read, not yet echoed
  std::array<char, buffer_size> buffer_;
};

}  // namespace echo

#endif  // TASKIO_EXAMPLE_ECHO_SESSION_HPP
