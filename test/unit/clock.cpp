// Unit tests of <taskio/clock.hpp>: the loop clock and any_delay, the one
// conversion every delay goes through (sleep, call_later, timeout, wait_for,
// wait, as_completed; their own tests check each of them).
#include <taskio/clock.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <limits>

// The suite lives in taskio_test: at global scope `clock` is the C function.
namespace taskio_test {
namespace {

taskio::clock::duration get(taskio::any_delay d) { return d.get("test"); }

std::string rejection(taskio::any_delay d) {
  try {
    (void)d.get("taskio::f");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(clock)

BOOST_AUTO_TEST_CASE(integer_durations_convert_exactly) {
  BOOST_TEST(get(3s).count() == 3'000'000'000);
  BOOST_TEST(get(7ms).count() == 7'000'000);
  BOOST_TEST(get(std::chrono::hours(24 * 365 * 99)) == std::chrono::hours(24 * 365 * 99));
  BOOST_TEST(get(std::chrono::nanoseconds(1)).count() == 1);
  // a period that is not a whole number of nanoseconds: the nearest one
  BOOST_TEST(get(std::chrono::duration<int, std::ratio<1, 3>>(1)).count() == 333'333'333);
  BOOST_TEST(get(std::chrono::duration<long long, std::pico>(1500)).count() == 2);
  BOOST_TEST(get(std::chrono::duration<unsigned, std::milli>(5u)).count() == 5'000'000);
}

BOOST_AUTO_TEST_CASE(floating_point_durations_round_to_the_nearest_nanosecond) {
  BOOST_TEST(get(std::chrono::duration<double>(0.25)) == 250ms);
  BOOST_TEST(get(std::chrono::duration<double>(0.1)).count() == 100'000'000);
  BOOST_TEST(get(std::chrono::duration<float, std::milli>(1.5f)).count() == 1'500'000);
  BOOST_TEST(get(std::chrono::duration<double, std::nano>(0.4)).count() == 0);
  BOOST_TEST(get(std::chrono::duration<long double, std::micro>(2.5L)).count() == 2'500);
}

BOOST_AUTO_TEST_CASE(negative_delays_are_zero) {
  BOOST_TEST(get(-1s).count() == 0);
  BOOST_TEST(get(std::chrono::nanoseconds::min()).count() == 0);
  BOOST_TEST(get(std::chrono::duration<double>(-0.5)).count() == 0);
  BOOST_TEST(get(std::chrono::duration<double>(-std::numeric_limits<double>::infinity())).count() == 0);
  BOOST_TEST(get(std::chrono::duration<double>(-0.0)).count() == 0);
}

BOOST_AUTO_TEST_CASE(nan_infinite_and_too_large_delays_are_rejected_naming_the_function) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  BOOST_TEST(rejection(std::chrono::duration<double>(nan)) == "taskio::f: delay is NaN");
  BOOST_TEST(rejection(std::chrono::duration<float>(static_cast<float>(nan))) == "taskio::f: delay is NaN");
  BOOST_TEST(rejection(std::chrono::duration<double>(inf)) ==
             "taskio::f: delay is infinite (to wait without a deadline, give no delay)");
  BOOST_TEST(rejection(std::chrono::duration<double>(1e300)) == "taskio::f: delay is too large (over 100 years)");
  BOOST_TEST(rejection(std::chrono::hours::max()) == "taskio::f: delay is too large (over 100 years)");
  BOOST_TEST(rejection(std::chrono::nanoseconds::max()) == "taskio::f: delay is too large (over 100 years)");
  BOOST_TEST(rejection(taskio::any_delay::max_delay) == "taskio::f: delay is too large (over 100 years)");
  BOOST_TEST(rejection(taskio::any_delay::max_delay - 1s) == "accepted");
}

BOOST_AUTO_TEST_CASE(optional_delays) {
  BOOST_TEST(!taskio::detail::get_delay(std::nullopt, "test"));
  BOOST_TEST(*taskio::detail::get_delay(std::optional<taskio::any_delay>(-2s), "test") == 0s);
  const std::optional<taskio::clock::duration> some = 5s;  // an optional of another duration converts
  const std::optional<taskio::any_delay> converted = some;
  BOOST_TEST(*taskio::detail::get_delay(converted, "test") == 5s);
}

BOOST_AUTO_TEST_CASE(the_clock_outside_a_loop_is_the_steady_clock) {
  const auto before = std::chrono::steady_clock::now().time_since_epoch();
  const auto now = taskio::clock::now().time_since_epoch();
  BOOST_TEST(now.count() >= std::chrono::duration_cast<std::chrono::nanoseconds>(before).count());
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace taskio_test
