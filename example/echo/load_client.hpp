//
// example/echo/load_client.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A closed-loop load client for the echo server: N connections, each
// sending a message and waiting for its whole echo (under wait_for),
// checking every byte, for a duration or a number of requests.

#ifndef TASKIO_EXAMPLE_ECHO_LOAD_CLIENT_HPP
#define TASKIO_EXAMPLE_ECHO_LOAD_CLIENT_HPP

#include <taskio/clock.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <vector>

namespace echo {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct load_options {
  std::size_t connections = 50;
  std::size_t message_size = 64;
  /// Each connection sends messages for this long...
  taskio::clock::duration duration = std::chrono::seconds(3);
  /// ...or, if set, this many messages.
  std::optional<std::uint64_t> requests;
  /// A request (send one message, receive its whole echo) that takes longer fails.
  taskio::clock::duration request_timeout = std::chrono::seconds(5);
};

struct load_report {
  std::size_t connections = 0;
  std::size_t message_size = 0;
  std::uint64_t requests = 0;    ///< echoes received in full
  std::uint64_t mismatches = 0;  ///< echoes that differ from the message
  std::uint64_t errors = 0;      ///< connections ended by an error or a timeout
  taskio::clock::time_point start{}, last{};       ///< first request sent, last echo received
  std::vector<taskio::clock::duration> latencies;  ///< one per request

  double seconds() const { return std::chrono::duration<double>(last - start).count(); }
  double requests_per_second() const { return seconds() > 0 ? static_cast<double>(requests) / seconds() : 0.0; }
  /// One-way payload rate, MB/s (10^6 bytes).
  double megabytes_per_second() const { return requests_per_second() * static_cast<double>(message_size) / 1e6; }

  /// Latency quantile q in [0, 1] (nearest rank), in microseconds.
  double latency_us(double q) const;

  /// Three lines: rates, latency percentiles, errors and mismatches.
  friend std::ostream& operator<<(std::ostream& os, const load_report& r);
};

/// Sends `out` and reads exactly as many bytes into `in`.
asio::awaitable<void> exchange(tcp::socket& socket, std::span<const char> out, std::span<char> in);

/// Connects opts.connections clients to `server` (one by one, each within
/// request_timeout), then runs them concurrently in a task_group: each
/// sends a message, waits for its whole echo (under wait_for) and checks
/// every byte, for opts.duration or opts.requests times. Results go to
/// `report` as they come, so it is valid after a cancellation too.
///
/// Cancellation: stops every connection at once; the requests done so far
/// stay in `report`.
/// Exceptions: what connecting throws (timeout_error, system_error).
asio::awaitable<void> run_load(tcp::endpoint server, const load_options& opts, load_report& report);

}  // namespace echo

#endif  // TASKIO_EXAMPLE_ECHO_LOAD_CLIENT_HPP
