//
// taskio/detail/ensure_future.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The two ways taskio's combinators take an awaitable (a task<T>, a
// future<T> or an asio::awaitable<T>):
//  * awaited inline, in the calling task: as_awaitable();
//  * as something with its own outcome that can be cancelled and observed
//    separately: ensure_future() (asyncio.ensure_future: a task or future is
//    used as is, an awaitable becomes a new task whose first step is
//    scheduled).

#ifndef TASKIO_DETAIL_ENSURE_FUTURE_HPP
#define TASKIO_DETAIL_ENSURE_FUTURE_HPP

#include <taskio/create_task.hpp>
#include <taskio/future.hpp>
#include <taskio/task.hpp>

#include <boost/asio/awaitable.hpp>

namespace taskio::detail {

template <class T>
task<T> ensure_future(task<T> t) {
  return t;
}
template <class T>
future<T> ensure_future(future<T> f) {
  return f;
}
template <class T>
task<T> ensure_future(boost::asio::awaitable<T> aw) {
  return create_task(std::move(aw));
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
