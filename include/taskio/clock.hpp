//
// taskio/clock.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::clock is the loop's clock (asyncio's loop.time()). It reads the
// steady clock, except on a thread running a virtual-time loop, where it
// reads that loop's virtual time: time starts at 0 and jumps to the next
// deadline whenever nothing is ready to run.
//
// taskio::any_delay is how every taskio function takes a delay (sleep,
// call_later, timeout, wait_for, wait, as_completed): any std::chrono::duration,
// integer or floating point, converted once, by one rule (asyncio's):
//   * a negative delay behaves like zero ("already due"), as in asyncio,
//     std::this_thread::sleep_for and Asio's timers: computed delays such as
//     `deadline - now` may go below zero;
//   * a floating-point delay is rounded to the nearest nanosecond;
//   * NaN, +infinity and delays over 100 years are std::invalid_argument,
//     naming the function ("taskio::sleep: delay is NaN"); -infinity is a
//     negative delay (zero). To wait without a deadline, pass no delay
//     (std::nullopt) where one is optional, or await without a timeout.

#ifndef TASKIO_CLOCK_HPP
#define TASKIO_CLOCK_HPP

#include <taskio/config.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <ratio>

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

/// A delay on the loop clock, implicitly constructible from any
/// std::chrono::duration (see the header comment for the rule). Holds the
/// converted value, or why it cannot be one; get() reports the latter.
class TASKIO_DECL any_delay {
public:
  /// The longest accepted delay.
  static constexpr std::chrono::hours max_delay{24 * 365 * 100};

  template <class Rep, class Period>
  constexpr any_delay(std::chrono::duration<Rep, Period> d) noexcept {  // NOLINT: implicit on purpose
    using ratio = std::ratio_divide<Period, clock::period>;
    // long double: exact for every integer count of nanoseconds below the limit
    const long double ns = static_cast<long double>(d.count()) * ratio::num / ratio::den;
    if (ns != ns)
      status_ = status::nan;
    else if (ns >= static_cast<long double>(std::chrono::nanoseconds(max_delay).count()))
      status_ = ns == HUGE_VALL ? status::infinite : status::too_large;
    else if (ns <= 0)
      value_ = clock::duration::zero();
    else if constexpr (std::chrono::treat_as_floating_point_v<Rep> || ratio::den != 1)
      value_ = clock::duration(static_cast<clock::rep>(ns + 0.5L));  // the nearest nanosecond
    else
      value_ = std::chrono::duration_cast<clock::duration>(d);  // exact
  }

  /// The delay as a clock::duration, never negative. `who` names the
  /// calling function in the exception.
  /// Exceptions: std::invalid_argument "<who>: delay is NaN" / "delay is
  /// infinite" / "delay is too large (over 100 years)".
  clock::duration get(const char* who) const {
    if (status_ != status::ok) reject(who);
    return value_;
  }

private:
  enum class status : std::uint8_t { ok, nan, infinite, too_large };
  [[noreturn]] void reject(const char* who) const;

  clock::duration value_{0};
  status status_ = status::ok;
};

namespace detail {
/// An optional delay through any_delay::get (none stays none).
inline std::optional<clock::duration> get_delay(const std::optional<any_delay>& d, const char* who) {
  if (!d) return std::nullopt;
  return d->get(who);
}
}  // namespace detail

}  // namespace taskio

#endif  // TASKIO_CLOCK_HPP
