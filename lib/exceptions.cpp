//
// lib/exceptions.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include <taskio/exceptions.hpp>

#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>


namespace taskio {

const char* cancelled_error::what() const noexcept {
  if (msg_.empty()) return "cancelled";
  if (what_.empty()) {
    try {
      what_ = "cancelled: " + msg_;
    } catch (...) {
      return "cancelled";
    }
  }
  return what_.c_str();
}

bool is_cancellation(const std::exception_ptr& e) noexcept {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const cancelled_error&) {
    return true;
  } catch (...) {
    detail::task_state_base* t = detail::thread_state::current_task();
    return t && t->own_abort(e);
  }
}

bool is_fatal(const std::exception_ptr& e) noexcept {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const fatal_error&) {
    return true;
  } catch (...) {
    return false;
  }
}

std::string describe_exception(const std::exception_ptr& e) {
  if (!e) return "no exception";
  try {
    std::rethrow_exception(e);
  } catch (const cancelled_error& c) {
    return c.what();
  } catch (const fatal_error& f) {
    return f.what();
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace taskio
