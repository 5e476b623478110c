//
// test/test_support.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Helpers shared by every test: coroutine test cases (each on a fresh loop,
// in virtual time unless stated otherwise), clock helpers, an in-memory
// Boost.Log sink (installed once by test_support.cpp's global fixture) and
// an ordering recorder.

#ifndef TASKIO_TEST_SUPPORT_HPP
#define TASKIO_TEST_SUPPORT_HPP

#include <taskio.hpp>
#include <taskio/log.hpp>  // the log capture reads severities

#include <boost/asio.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

BOOST_TEST_DONT_PRINT_LOG_VALUE(std::exception_ptr)
BOOST_TEST_DONT_PRINT_LOG_VALUE(taskio::clock::time_point)

namespace taskio_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// Loop time since the start of a virtual-time loop.
inline taskio::clock::duration vt() { return taskio::loop_time().time_since_epoch(); }

/// Runs `body` on a fresh virtual-time loop (no signal handling, so a
/// deadlock fails the test instead of hanging).
inline void run_virtual(asio::awaitable<void> body) {
  taskio::run(std::move(body), {.virtual_time = true, .handle_signals = false});
}
inline void run_real(asio::awaitable<void> body) { taskio::run(std::move(body), {.handle_signals = false}); }

/// Records events in order ("a", "b", ...) to check interleavings.
struct trace {
  std::vector<std::string> events;
  void operator()(std::string e) { events.push_back(std::move(e)); }
  std::string str() const {
    std::string s;
    for (const auto& e : events) s += (s.empty() ? "" : " ") + e;
    return s;
  }
};

/// One captured Boost.Log record.
struct log_record {
  boost::log::trivial::severity_level severity;
  std::string channel;
  std::string task;
  std::string message;
};

/// Records captured by the test sink since the last clear_logs().
std::vector<log_record> captured_logs();
void clear_logs();
/// True if a captured record's message contains `text`.
bool logged(const std::string& text);

/// The message of a cancelled_error held by `e` ("" if `e` is none).
inline std::string cancel_message(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const taskio::cancelled_error& c) {
    return c.message();
  } catch (...) {
    return "<not a cancelled_error>";
  }
}

/// The what() of the std::exception held by `e` ("" if none).
inline std::string what_of(const std::exception_ptr& e) {
  if (!e) return "";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "<not a std::exception>";
  }
}

/// Runs the awaitable and returns the exception it throws (null if none).
template <class T>
asio::awaitable<std::exception_ptr> catch_exception(asio::awaitable<T> a) {
  try {
    co_await std::move(a);
  } catch (...) {
    co_return std::current_exception();
  }
  co_return nullptr;
}

/// How long a test waits, from another thread, for what must happen: never
/// reached when things work; a hang fails with a message before CTest's
/// timeout (300 s) kills the whole file.
inline constexpr auto bound = std::chrono::seconds(120);

/// Never returns (a sleep of 1,000 hours): cancel it.
inline asio::awaitable<void> forever() { co_await taskio::sleep(1000h); }

/// Sleeps for `d`, then returns `v`.
inline asio::awaitable<int> value_after(std::chrono::nanoseconds d, int v) {
  co_await taskio::sleep(d);
  co_return v;
}

/// Sleeps for `d`, then fails with std::runtime_error(what) (typed int, to
/// mix with value_after).
inline asio::awaitable<int> fail_after(std::chrono::nanoseconds d, std::string what) {
  co_await taskio::sleep(d);
  throw std::runtime_error(what);
}
/// The same, failing with "boom".
inline asio::awaitable<int> fail_after(std::chrono::nanoseconds d) { return fail_after(d, "boom"); }

}  // namespace taskio_test

/// A test case whose body is a coroutine run as main on a fresh
/// virtual-time loop: TASKIO_TEST_CASE(name) { co_await ...; }
#define TASKIO_TEST_CASE(name)                                                         \
  static boost::asio::awaitable<void> name##_body();                                   \
  BOOST_AUTO_TEST_CASE(name) { ::taskio_test::run_virtual(name##_body()); }            \
  static boost::asio::awaitable<void> name##_body()

/// The same on a real-time loop (for real sockets and threads).
#define TASKIO_REAL_TIME_TEST_CASE(name)                                               \
  static boost::asio::awaitable<void> name##_body();                                   \
  BOOST_AUTO_TEST_CASE(name) { ::taskio_test::run_real(name##_body()); }               \
  static boost::asio::awaitable<void> name##_body()

#endif  // TASKIO_TEST_SUPPORT_HPP
