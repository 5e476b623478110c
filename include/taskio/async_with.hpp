//
// taskio/async_with.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// `async with` for C++: async_with(manager, body) enters the manager, runs
// body(manager), and exits the manager with the body's exception (or none).
//
// A manager is any type with
//   asio::awaitable<void> aenter();
//   asio::awaitable<bool> aexit(std::exception_ptr e);   // true: suppress e
// (Python's __aenter__ / __aexit__). task_group and timeout_scope are
// managers; users write their own (a connection pool, a lock, a span).
//
//   co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg)
//       -> asio::awaitable<void> { tg.create_task(work()); co_return; });
//
// Passing an lvalue manager keeps it with the caller (inspect it afterwards,
// e.g. timeout_scope::expired()); it must outlive the awaitable. A
// temporary is moved into the operation.
//
// Cancellation: exactly the body's and the manager's suspension points. A
// boundary: when the body fails with an Asio operation_aborted /
// channel_cancelled that a taskio cancellation of the current task caused,
// aexit and the caller see cancelled_error(msg) instead (the same whatever
// operation the body awaited; see doc/cancellation.md).
// Exceptions: the body's exception unless aexit suppresses it (then a body
// returning a value yields a default-constructed value, and one whose value
// type is not default-constructible gets std::logic_error); aexit's own
// exception replaces the body's, as in Python.

#ifndef TASKIO_ASYNC_WITH_HPP
#define TASKIO_ASYNC_WITH_HPP

#include <taskio/config.hpp>
#include <taskio/detail/cancel.hpp>
#include <taskio/traits.hpp>

#include <boost/asio/awaitable.hpp>

#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace taskio {

/// A type usable with async_with.
template <class CM>
concept async_context_manager = requires(CM& cm, std::exception_ptr e) {
  { cm.aenter() } -> std::same_as<boost::asio::awaitable<void>>;
  { cm.aexit(e) } -> std::same_as<boost::asio::awaitable<bool>>;
};

/// Enters `cm`, runs `body(cm)` (which returns an asio::awaitable<R>), exits
/// `cm` with the outcome; returns the body's value.
template <class CM, class F>
  requires async_context_manager<std::remove_cvref_t<CM>> &&
           is_awaitable_v<std::invoke_result_t<F&, std::remove_cvref_t<CM>&>>
auto async_with(CM&& cm, F body);

// ---- implementation ----

namespace detail {

template <class CM, class F>
using async_with_result_t = awaitable_result_t<std::invoke_result_t<F&, CM&>>;

/// The whole statement in one coroutine frame. `CM` is `M&` (the caller keeps
/// the manager) or `M` (the manager moved into the frame): no nested
/// coroutine, so a failing body costs one rethrow less.
template <class CM, class F>
boost::asio::awaitable<async_with_result_t<CM, F>> async_with_frame(CM cm, F body) {
  using R = async_with_result_t<CM, F>;
  co_await cm.aenter();
  std::exception_ptr e;
  if constexpr (std::is_void_v<R>) {
    try {
      co_await body(cm);
    } catch (...) {
      e = to_cancellation(std::current_exception());
    }
    const bool suppress = co_await cm.aexit(e);
    if (e && !suppress) std::rethrow_exception(e);
  } else {
    std::optional<R> r;
    try {
      r.emplace(co_await body(cm));
    } catch (...) {
      e = to_cancellation(std::current_exception());
    }
    const bool suppress = co_await cm.aexit(e);
    if (e) {
      if (!suppress) std::rethrow_exception(e);
      if constexpr (std::is_default_constructible_v<R>)
        r.emplace();
      else
        throw std::logic_error("taskio::async_with: the manager suppressed an exception but the body has no value");
    }
    co_return std::move(*r);
  }
}

}  // namespace detail

template <class CM, class F>
  requires async_context_manager<std::remove_cvref_t<CM>> &&
           is_awaitable_v<std::invoke_result_t<F&, std::remove_cvref_t<CM>&>>
auto async_with(CM&& cm, F body) {
  if constexpr (std::is_lvalue_reference_v<CM>)
    return detail::async_with_frame<CM>(cm, std::move(body));
  else
    return detail::async_with_frame<std::remove_cvref_t<CM>>(std::remove_cvref_t<CM>(std::move(cm)), std::move(body));
}

}  // namespace taskio

#endif  // TASKIO_ASYNC_WITH_HPP
