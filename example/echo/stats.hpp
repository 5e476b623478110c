//
// example/echo/stats.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The server's counters. They are written by the thread of the loop that
// serves (no locked instruction on the hot path) and can be read from any
// thread: the demo and multicore_echo read them from another loop.

#ifndef TASKIO_EXAMPLE_ECHO_STATS_HPP
#define TASKIO_EXAMPLE_ECHO_STATS_HPP

#include <atomic>
#include <cstdint>
#include <ostream>

namespace echo {

/// A statistic written by one thread (the loop's) and readable from any:
/// relaxed atomic load + store, no locked instruction on the hot path.
class counter {
public:
  void operator+=(std::uint64_t n) noexcept { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void operator-=(std::uint64_t n) noexcept { v_.store(v_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> v_{0};
};

/// A copy of the counters, which can be added up across loops.
struct server_counts {
  std::uint64_t accepted = 0, active = 0, bytes_in = 0, bytes_out = 0, idle_closed = 0, failed = 0;

  server_counts& operator+=(const server_counts& o) {
    accepted += o.accepted, active += o.active, bytes_in += o.bytes_in, bytes_out += o.bytes_out;
    idle_closed += o.idle_closed, failed += o.failed;
    return *this;
  }
  friend std::ostream& operator<<(std::ostream& os, const server_counts& c) {
    return os << "accepted=" << c.accepted << " active=" << c.active << " bytes_in=" << c.bytes_in
              << " bytes_out=" << c.bytes_out << " idle_closed=" << c.idle_closed << " failed=" << c.failed;
  }
};

struct server_stats {
  counter accepted;     ///< connections accepted
  counter active;       ///< connections open now
  counter bytes_in;     ///< bytes read from clients
  counter bytes_out;    ///< bytes echoed back
  counter idle_closed;  ///< connections closed by the idle timeout
  counter failed;       ///< connections ended by a socket error (reset, ...)

  /// Bytes read and not echoed yet: at most buffer_size per connection.
  /// Exact on the loop's thread.
  std::uint64_t buffered() const noexcept { return bytes_in.value() - bytes_out.value(); }
  server_counts counts() const noexcept {
    return {accepted.value(), active.value(), bytes_in.value(), bytes_out.value(), idle_closed.value(), failed.value()};
  }
};

}  // namespace echo

#endif  // TASKIO_EXAMPLE_ECHO_STATS_HPP
