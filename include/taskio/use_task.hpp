//
// taskio/use_task.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::use_task: the completion token for plain Asio operations awaited
// inside a task. It is asio::use_awaitable, except for how an operation that
// taskio cancelled ends:
//
//   asio::steady_timer timer(ex, 10s);
//   co_await timer.async_wait(taskio::use_task);   // t.cancel("stop"):
//                                                   // cancelled_error("stop")
//   char buf[512];
//   std::size_t n = co_await sock.async_read_some(asio::buffer(buf), taskio::use_task);
//
// * The operation fails with operation_aborted (an experimental channel:
//   channel_cancelled) BECAUSE taskio delivered a cancellation to the
//   awaiting task (task.cancel(msg), a timeout, a task group's abort,
//   wait_for): it throws taskio::cancelled_error(msg) with that request's
//   message, which `catch (const std::exception&)` does not swallow.
// * The request came after the operation had already completed (its result
//   is on the way): the request is delivered right there, cancelled_error
//   instead of the result (asyncio's rule for every awaitable). The
//   request is never lost and never delivered twice, on every executor
//   (strands of a multi-threaded io_context included).
// * Any other failure (including an operation_aborted that taskio did not
//   cause, e.g. a socket closed by another task) throws
//   boost::system::system_error, as with use_awaitable.
//
// The value: void for void(error_code), T for void(error_code, T), a
// std::tuple for more values. Signatures that do not start with an
// error_code behave exactly as with use_awaitable.
//
// Asio's default-token idiom:
//
//   using tcp_socket = taskio::use_task_t::as_default_on_t<asio::ip::tcp::socket>;
//   tcp_socket s(ex);
//   co_await s.async_connect(ep);            // use_task is the default token
//   auto timer = taskio::use_task_t::as_default_on(asio::steady_timer(ex));
//
// Outside a task (a plain co_spawn coroutine, or an operation bound to
// another cancellation slot) use_task is use_awaitable with the same
// exception types: nothing of the task is touched.
//
// Cost: one coroutine frame per operation on top of use_awaitable's.
// Thread safety: as use_awaitable (the awaiting coroutine's executor).

#ifndef TASKIO_USE_TASK_HPP
#define TASKIO_USE_TASK_HPP

#include <taskio/config.hpp>
#include <taskio/detail/task_state.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

namespace taskio {

/// The type of taskio::use_task.
struct use_task_t {
  constexpr use_task_t() noexcept = default;

  /// An executor whose default completion token is use_task (Asio's idiom,
  /// as use_awaitable_t::executor_with_default).
  template <class InnerExecutor>
  struct executor_with_default : InnerExecutor {
    using default_completion_token_type = use_task_t;

    executor_with_default(const InnerExecutor& ex) noexcept : InnerExecutor(ex) {}

    template <class InnerExecutor1>
      requires(!std::is_same_v<InnerExecutor1, executor_with_default> &&
               std::is_convertible_v<InnerExecutor1, InnerExecutor>)
    executor_with_default(const InnerExecutor1& ex) noexcept : InnerExecutor(ex) {}
  };

  /// `T` (a socket, timer, channel, ...) with use_task as its default token.
  template <class T>
  using as_default_on_t = typename T::template rebind_executor<executor_with_default<typename T::executor_type>>::other;

  /// Converts `object` into the type as_default_on_t<T>.
  template <class T>
  static as_default_on_t<std::decay_t<T>> as_default_on(T&& object) {
    return as_default_on_t<std::decay_t<T>>(std::forward<T>(object));
  }
};

/// The completion token: see the header comment.
inline constexpr use_task_t use_task;

// ---- implementation ----

namespace detail {

template <class... Ts>
struct use_task_value {
  using type = std::tuple<Ts...>;
};
template <>
struct use_task_value<> {
  using type = void;
};
template <class T>
struct use_task_value<T> {
  using type = T;
};

/// use_task's operation: the Asio operation awaited with as_tuple(use_awaitable),
/// its outcome judged by the task's cancellation module.
template <class... Ts, class Initiation, class... InitArgs>
boost::asio::awaitable<typename use_task_value<Ts...>::type> use_task_run(Initiation init, InitArgs... args) {
  // The task awaiting through its own coroutine chain (its own slot), if any.
  task_state_base* t = thread_state::current_task();
  if (t) {
    boost::asio::cancellation_state cs = co_await boost::asio::this_coro::cancellation_state;
    if (!t->owns_slot(cs.slot())) t = nullptr;
  }
  const std::uint64_t before = t ? t->emissions() : 0;
  auto result = co_await boost::asio::async_initiate<const boost::asio::as_tuple_t<boost::asio::use_awaitable_t<>>&,
                                                     void(boost::system::error_code, Ts...)>(
      std::move(init), boost::asio::as_tuple(boost::asio::use_awaitable), std::move(args)...);
  const boost::system::error_code& ec = std::get<0>(result);
  if (t) {
    if (std::exception_ptr e = t->outcome(before, ec)) std::rethrow_exception(e);
  } else if (ec) {
    throw boost::system::system_error(ec);
  }
  if constexpr (sizeof...(Ts) == 1)
    co_return std::move(std::get<1>(result));
  else if constexpr (sizeof...(Ts) > 1)
    co_return std::apply([](auto&&, auto&&... v) { return std::tuple<Ts...>(std::move(v)...); }, std::move(result));
}

}  // namespace detail

}  // namespace taskio

namespace boost::asio {

/// Any signature that does not start with an error_code: use_awaitable's.
template <class Signature>
class async_result<taskio::use_task_t, Signature> {
public:
  template <class Initiation, class... InitArgs>
  static auto initiate(Initiation&& init, taskio::use_task_t, InitArgs&&... args) {
    return async_initiate<const use_awaitable_t<>&, Signature>(std::forward<Initiation>(init), use_awaitable,
                                                               std::forward<InitArgs>(args)...);
  }
};

/// void(error_code, Ts...): see taskio/use_task.hpp.
template <class R, class... Ts>
class async_result<taskio::use_task_t, R(boost::system::error_code, Ts...)> {
public:
  template <class Initiation, class... InitArgs>
  static awaitable<typename taskio::detail::use_task_value<std::decay_t<Ts>...>::type> initiate(
      Initiation&& init, taskio::use_task_t, InitArgs&&... args) {
    return taskio::detail::use_task_run<std::decay_t<Ts>...>(std::forward<Initiation>(init),
                                                              std::forward<InitArgs>(args)...);
  }
};

}  // namespace boost::asio

#endif  // TASKIO_USE_TASK_HPP
