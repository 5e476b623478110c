//
// taskio/traits.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// What taskio's combinators accept as "awaitable": asio::awaitable<T>,
// taskio::task<T> and taskio::future<T> (asyncio.isawaitable).

#ifndef TASKIO_TRAITS_HPP
#define TASKIO_TRAITS_HPP

#include <taskio/config.hpp>
#include <taskio/future.hpp>
#include <taskio/task.hpp>

#include <boost/asio/awaitable.hpp>

#include <type_traits>

namespace taskio {

template <class A>
struct awaitable_traits {
  static constexpr bool value = false;
};
template <class T, class E>
struct awaitable_traits<boost::asio::awaitable<T, E>> {
  static constexpr bool value = true;
  using result_type = T;
};
template <class T>
struct awaitable_traits<task<T>> {
  static constexpr bool value = true;
  using result_type = T;
};
template <class T>
struct awaitable_traits<future<T>> {
  static constexpr bool value = true;
  using result_type = T;
};

/// True for asio::awaitable<T>, task<T> and future<T> (cv/ref ignored).
template <class A>
inline constexpr bool is_awaitable_v = awaitable_traits<std::remove_cvref_t<A>>::value;

template <class A>
concept awaitable_like = is_awaitable_v<A>;

/// The T of an awaitable<T>, task<T> or future<T>.
template <class A>
using awaitable_result_t = typename awaitable_traits<std::remove_cvref_t<A>>::result_type;

}  // namespace taskio

#endif  // TASKIO_TRAITS_HPP
