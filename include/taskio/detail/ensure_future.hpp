//
// taskio/detail/ensure_future.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The two ways taskio's combinators take an awaitable (a task<T>, a
// future<T> or an asio::awaitable<T>), written once for all of them:
//  * awaited inline, in the calling task: as_awaitable() (timeout, wait_for);
//  * as something with its own outcome that can be cancelled and observed
//    separately: ensure_future() / ensure_futures() for a range
//    (asyncio.ensure_future: a task or future is used as is, an awaitable
//    becomes a new task whose first step is scheduled; gather,
//    as_completed, wait_for, shield).

#ifndef TASKIO_DETAIL_ENSURE_FUTURE_HPP
#define TASKIO_DETAIL_ENSURE_FUTURE_HPP

#include <taskio/create_task.hpp>
#include <taskio/future.hpp>
#include <taskio/task.hpp>

#include <boost/asio/awaitable.hpp>

#include <ranges>
#include <type_traits>
#include <utility>
#include <vector>

namespace taskio::detail {

/// asyncio's ensure_future: a task or future as it is (copied), an
/// asio::awaitable becomes a task on the current task's executor (consumed:
/// pass it by rvalue).
template <class A>
auto ensure_future(A&& a) {
  using D = std::remove_cvref_t<A>;
  if constexpr (is_asio_awaitable_v<D>) {
    static_assert(!std::is_lvalue_reference_v<A>, "pass an asio::awaitable by rvalue (std::move): it is consumed");
    return create_task(std::move(a));
  } else {
    return D(a);
  }
}

/// The handle ensure_future makes of an A: task<T> or future<T>.
template <class A>
using handle_t = decltype(ensure_future(std::declval<A>()));

/// ensure_future on every element of a range, in order (moving from the
/// elements when the range is an rvalue).
template <class R>
auto ensure_futures(R&& range) {
  using H = handle_t<std::conditional_t<std::is_lvalue_reference_v<R>, std::ranges::range_reference_t<R>,
                                        std::ranges::range_rvalue_reference_t<R>>>;
  std::vector<H> hs;
  if constexpr (std::ranges::sized_range<R>) hs.reserve(std::ranges::size(range));
  for (auto&& a : range) {
    if constexpr (std::is_lvalue_reference_v<R>)
      hs.push_back(ensure_future(a));
    else
      hs.push_back(ensure_future(std::move(a)));
  }
  return hs;
}

/// Awaiting a task or future is async_wait(); an awaitable is itself.
template <class T>
boost::asio::awaitable<T> as_awaitable(task<T> t) {
  return t.async_wait();
}
template <class T>
boost::asio::awaitable<T> as_awaitable(future<T> f) {
  return f.async_wait();
}
template <class T>
boost::asio::awaitable<T> as_awaitable(boost::asio::awaitable<T> aw) {
  require_valid(aw);
  return aw;
}

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_ENSURE_FUTURE_HPP
