//
// taskio/outcome.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// outcome<T>: a value or the exception that replaced it. gather with
// return_exceptions reports each child as one:
//
//   auto [ra, rb] = co_await taskio::gather(taskio::return_exceptions, fetch("a"), t);
//   if (!ra.has_value()) log(ra.exception());
//   int a = ra.value();   // rethrows the exception when there is no value

#ifndef TASKIO_OUTCOME_HPP
#define TASKIO_OUTCOME_HPP

#include <taskio/config.hpp>

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <utility>
#include <variant>

namespace taskio {

/// A value or the exception that replaced it (a cancelled child holds its
/// cancelled_error, message included).
template <class T>
class outcome {
public:
  static outcome success(T value) { return outcome(std::in_place_index<0>, std::move(value)); }
  /// `e` must not be null.
  static outcome failure(std::exception_ptr e) {
    if (!e) throw std::invalid_argument("taskio::outcome::failure: null exception_ptr");
    return outcome(std::in_place_index<1>, std::move(e));
  }

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  /// The value; rethrows the exception when there is none.
  T& value() & { return check(), std::get<0>(v_); }
  const T& value() const& { return check(), std::get<0>(v_); }
  T&& value() && { return check(), std::get<0>(std::move(v_)); }
  /// The exception, or null when there is a value.
  std::exception_ptr exception() const noexcept { return has_value() ? nullptr : std::get<1>(v_); }

private:
  template <std::size_t I, class U>
  outcome(std::in_place_index_t<I> i, U&& u) : v_(i, std::forward<U>(u)) {}
  void check() const {
    if (!has_value()) std::rethrow_exception(std::get<1>(v_));
  }
  std::variant<T, std::exception_ptr> v_;
};

}  // namespace taskio

#endif  // TASKIO_OUTCOME_HPP
