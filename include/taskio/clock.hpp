//
// taskio/clock.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::clock is the loop's clock (asyncio's loop.time()). It reads the
// steady clock, except on a thread running a virtual-time loop, where it
// reads that loop's virtual time: time starts at 0 and jumps to the next
// deadline whenever nothing is ready to run.

#ifndef TASKIO_CLOCK_HPP
#define TASKIO_CLOCK_HPP

#include <taskio/config.hpp>

#include <chrono>

namespace taskio {

struct TASKIO_DECL clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<clock, duration>;
  static constexpr bool is_steady = true;

  /// The running loop's time on this thread (virtual or steady), else the
  /// steady clock.
  static time_point now() noexcept;
};

}  // namespace taskio

#endif  // TASKIO_CLOCK_HPP
