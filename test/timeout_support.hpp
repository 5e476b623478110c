//
// test/timeout_support.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Helpers shared by the tests of timeout scopes, wait_for and shield.

#ifndef TASKIO_TEST_TIMEOUT_SUPPORT_HPP
#define TASKIO_TEST_TIMEOUT_SUPPORT_HPP

#include "test_support.hpp"

#include <optional>

BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<taskio::clock::time_point>)

namespace taskio_test {

/// The current task's cancellation count.
inline int count() { return taskio::current_task().cancelling(); }

/// True if `e` holds a taskio::timeout_error whose nested exception (as
/// std::rethrow_if_nested sees it) is a taskio::cancelled_error.
inline bool is_timeout(const std::exception_ptr& e) {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const taskio::timeout_error& t) {
    try {
      std::rethrow_if_nested(t);
    } catch (const taskio::cancelled_error&) {
      return true;
    } catch (...) {
    }
  } catch (...) {
  }
  return false;
}

/// True if `e` holds a cancelled_error (and not a timeout_error).
inline bool is_cancelled(const std::exception_ptr& e) { return e && cancel_message(e) != "<not a cancelled_error>"; }

/// The what() of a std::exception held by `e` (test_support.hpp's what_of).
inline std::string error_text(const std::exception_ptr& e) { return what_of(e); }

}  // namespace taskio_test

#endif  // TASKIO_TEST_TIMEOUT_SUPPORT_HPP
