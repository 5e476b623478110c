//
// test/task_group_support.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Helpers shared by the tests of task groups (test/unit/task_group.cpp and
// test/semantics/task_group.cpp): children with scripted behaviour and a
// readable view of an exception_group.

#ifndef TASKIO_TEST_TASK_GROUP_SUPPORT_HPP
#define TASKIO_TEST_TASK_GROUP_SUPPORT_HPP

#include "test_support.hpp"

#include <string>

namespace taskio_test::groups {

using taskio_test::value_after;  // test_support.hpp

using taskio_test::fail_after;  // test_support.hpp

using taskio_test::forever;  // test_support.hpp

/// Throws std::runtime_error(what) when cancelled.
inline asio::awaitable<void> fail_when_cancelled(std::string what) {
  try {
    co_await taskio::sleep(1000h);
  } catch (const taskio::cancelled_error&) {
    throw std::runtime_error(what);
  }
}

/// Takes `cleanup` to finish after being cancelled, then returns normally.
inline asio::awaitable<void> slow_to_cancel(std::chrono::nanoseconds cleanup) {
  bool cancelled = false;
  try {
    co_await taskio::sleep(1000h);
  } catch (const taskio::cancelled_error&) {
    cancelled = true;
  }
  if (cancelled) co_await taskio::sleep(cleanup);
}

/// The current task's cancellation count.
inline int cancelling() { return taskio::current_task().cancelling(); }

/// The loop time as "1500ms".
inline std::string at() {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(vt()).count()) + "ms";
}

/// The what() of each member of the exception_group held by `e`, nested
/// groups as "[message: members]".
inline std::string members(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const taskio::exception_group& g) {
    std::string s;
    for (const auto& m : g.exceptions()) {
      std::string one;
      try {
        std::rethrow_exception(m);
      } catch (const taskio::exception_group& inner) {
        one = "[" + inner.message() + ": " + members(m) + "]";
      } catch (...) {
        one = taskio::describe_exception(m);
      }
      s += (s.empty() ? "" : ", ") + one;
    }
    return s;
  } catch (...) {
    return "<not a group: " + taskio::describe_exception(e) + ">";
  }
}

}  // namespace taskio_test::groups

#endif  // TASKIO_TEST_TASK_GROUP_SUPPORT_HPP
