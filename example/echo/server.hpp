//
// example/echo/server.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The TCP echo server, on plain Asio sockets (doc/echo.md explains the
// design):
//
//   listen(ex, endpoint)              a listening socket
//   serve(acceptor, options, stats)   the accept loop and one task per
//                                     connection ("conn-<peer>", session.hpp),
//                                     under a graceful_shutdown
//                                     (common/graceful_shutdown.hpp)
//   serve_on_threads(...)             the same on N loops, one per thread
//
// At most options::max_connections connections run at once; further
// clients wait in the listen backlog.
//
// Threads: serve() and its sessions run on the caller's loop and touch
// `server_stats` from that thread only; other threads may read the
// counters. Records go to Boost.Log, channel "echo", with the task's name.

#ifndef TASKIO_EXAMPLE_ECHO_SERVER_HPP
#define TASKIO_EXAMPLE_ECHO_SERVER_HPP

#include "echo/session.hpp"
#include "echo/stats.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>
#include <vector>

namespace echo {

/// "127.0.0.1:5000"
std::string to_string(const tcp::endpoint& ep);

/// A listening socket on `ep` (port 0: the kernel picks one). With
/// `reuse_port`, several sockets (one per loop) may listen on the same
/// address and the kernel spreads new connections across them.
tcp::acceptor listen(const asio::any_io_executor& ex, const tcp::endpoint& ep, bool reuse_port = false);

/// Serves connections on `acceptor` until cancelled. Returns only by an
/// exception: cancellation (after every connection has finished), or an
/// exception_group if the accept loop failed.
///
/// Cancellation: a graceful stop (graceful_shutdown): the accept loop stops
/// and the acceptor closes (new clients are refused); every session stops
/// reading, delivers the echo of what it read and closes; after
/// opts.drain_timeout the sessions still running are cancelled. Then the
/// cancellation propagates.
asio::awaitable<void> serve(tcp::acceptor acceptor, const options& opts, server_stats& stats);

/// serve() on stats.size() loops: the caller's loop serves `acceptor`,
/// each other loop (a taskio::loop_thread) a new acceptor on the same address. With
/// more than one loop, `acceptor` must come from listen(..., true).
///
/// Cancellation: as serve(), on every loop at once.
asio::awaitable<void> serve_on_threads(tcp::acceptor acceptor, const options& opts, std::vector<server_stats>& stats);

}  // namespace echo

#endif  // TASKIO_EXAMPLE_ECHO_SERVER_HPP
