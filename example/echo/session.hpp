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
// every read pushes back), or when the server stops (graceful_shutdown,
// common/graceful_shutdown.hpp): the read that waits for new input is
// interrupted, the echo of what was already read is complete at that point
// (a connection reads again only once it has echoed everything), so the
// session sends FIN, waits until the peer has the echo, and closes. If that
// takes longer than the server's drain deadline, the server cancels it.

#ifndef TASKIO_EXAMPLE_ECHO_SESSION_HPP
#define TASKIO_EXAMPLE_ECHO_SESSION_HPP

#include "echo/stats.hpp"

#include "common/graceful_shutdown.hpp"

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
  /// On shutdown, the time the connections have to deliver the echo of what
  /// they read (graceful_shutdown's drain deadline); then they are cancelled.
  taskio::clock::duration drain_timeout = std::chrono::seconds(2);
};

class session {
public:
  /// `shutdown`: the server's; its stop ends the session gracefully.
  session(tcp::socket socket, const options& opts, server_stats& stats, examples::graceful_shutdown& shutdown);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Returns when the peer closed, the connection was idle too long or
  /// failed, or (the server stopping) once the peer has every echo.
  ///
  /// Cancellation: the session ends at once (the read bytes not echoed yet
  /// are logged, warning) and the cancellation propagates.
  asio::awaitable<void> run();

private:
  asio::awaitable<void> echo_loop(taskio::timeout_scope& idle);
  void postpone(taskio::timeout_scope& idle);
  asio::awaitable<void> close_gracefully();
  void report_cancelled();
  int unacknowledged();

  tcp::socket socket_;
  const options& opts_;
  server_stats& stats_;
  examples::graceful_shutdown& shutdown_;
  std::span<const char> unsent_;  // read, not yet echoed
  std::array<char, buffer_size> buffer_;
};

}  // namespace echo

#endif  // TASKIO_EXAMPLE_ECHO_SESSION_HPP
