//
// taskio/gather.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.gather: run awaitables concurrently and collect their results in
// argument order.
//
//   auto [a, b] = co_await taskio::gather(fetch("a"), fetch("b"));     // std::tuple
//   std::vector<int> v = co_await taskio::gather(std::move(tasks));    // a range
//   auto [ra, rb] = co_await taskio::gather(taskio::return_exceptions, fetch("a"), t);
//   if (!ra.has_value()) log(ra.exception());                          // outcome<T>
//
// Arguments are taskio::task<T>, taskio::future<T> or asio::awaitable<T>
// (an awaitable becomes a task at the call, as asyncio wraps coroutines;
// tasks and futures are used as they are). A child passed twice is watched
// once and its result repeated. void results become std::monostate.
//
// gather() schedules its children when it is called (like asyncio.gather)
// and returns an asio::awaitable that waits for them; await it at once. The
// children belong to the running loop; awaiting from a task whose executor
// they share keeps every guarantee on multi-threaded loops too.
//
// Errors: the first failure (an exception, or a child's cancellation)
// propagates at once and the other children keep running: unlike
// task_group, gather never cancels siblings on error (asyncio's rule). With
// return_exceptions every child's outcome is collected instead. The
// children's exceptions are retrieved once gather is done, so none of them
// logs "exception was never retrieved".
//
// Cancellation: awaiting gather is a cancellation point. Cancelling the
// awaiting task cancels every unfinished child; gather then waits for them
// and raises cancelled_error, with return_exceptions too (bpo-32684). If
// every child is already done, the request stays with the awaiting task,
// which raises cancelled_error instead of the results.
//
// Difference from CPython (doc/semantics.md 20.4, gather never loses a request): when the awaiting task is
// cancelled in the iteration in which a child's failure is being reported,
// CPython hands the task the child's exception and loses the cancellation.
// taskio hands it the child's exception too, and delivers the cancellation
// at the task's next suspension point: a request is never lost.

#ifndef TASKIO_GATHER_HPP
#define TASKIO_GATHER_HPP

#include <taskio/config.hpp>
#include <taskio/create_task.hpp>
#include <taskio/detail/ensure_future.hpp>
#include <taskio/future.hpp>
#include <taskio/outcome.hpp>
#include <taskio/task.hpp>
#include <taskio/traits.hpp>
#include <taskio/wait.hpp>

#include <boost/asio/awaitable.hpp>

#include <array>
#include <exception>
#include <iterator>  // std::ranges concepts (not <ranges>: its views cost every includer)
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace taskio {

/// The tag asking gather to collect every child's outcome instead of failing
/// with the first error (asyncio's return_exceptions=True).
struct return_exceptions_t {
  explicit return_exceptions_t() = default;
};
inline constexpr return_exceptions_t return_exceptions{};

/// What gather reports for a child of result type T: T, or std::monostate
/// for void.
template <class T>
using gather_value_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

namespace detail {

/// A range gather accepts: of tasks, of futures, or an rvalue range of awaitables.
template <class R>
concept awaitable_range = std::ranges::input_range<R> && !is_awaitable_v<R> &&
                          is_awaitable_v<std::ranges::range_value_t<std::remove_cvref_t<R>>>;
}  // namespace detail

/// Runs the awaitables concurrently; their results in argument order.
///
/// Cancellation: a cancellation point; see the header comment (cancelling
/// the awaiting task cancels every unfinished child).
/// Exceptions: the first child failure (exception or cancelled_error), at
/// once; std::runtime_error "no running event loop" (at the call) outside a
/// loop; std::invalid_argument if a child belongs to another loop.
template <class... A>
  requires(is_awaitable_v<A> && ...)
auto gather(A&&... aws);

/// The same, collecting every child's outcome<T> instead of failing (a
/// cancellation of the gather itself still raises cancelled_error).
template <class... A>
  requires(is_awaitable_v<A> && ...)
auto gather(return_exceptions_t, A&&... aws);

/// gather over a range (std::vector<task<T>>, a range of futures, or an
/// rvalue range of asio::awaitable<T>): an asio::awaitable<std::vector<T>>.
template <detail::awaitable_range R>
auto gather(R&& range);

/// The range form with return_exceptions: std::vector<outcome<T>>.
template <detail::awaitable_range R>
auto gather(return_exceptions_t, R&& range);

// ---- implementation ----

namespace detail {

/// gather's state: the "gathering future" whose cancel() cancels the
/// children (asyncio's _GatheringFuture).
class TASKIO_DECL gather_state final : public watcher {
public:
  gather_state(bool return_exceptions, std::span<future_state_base* const> children);

  /// Cancels every child not done yet; true if one of them accepted.
  bool cancel(std::string msg) override;

  /// Waits until the children are done: returns when all succeeded (or,
  /// with return_exceptions, whatever they did); else throws the first
  /// failure, or cancelled_error when the gather was cancelled.
  static boost::asio::awaitable<void> wait(ref_ptr<gather_state> self);

private:
  void on_child_done(std::size_t i) override;

  bool return_exceptions_;
  bool cancel_requested_ = false;
  std::string cancel_msg_;
  std::size_t finished_ = 0;
};

template <class H>
gather_value_t<typename handle_traits<H>::value_type> gathered_value(const H& h) {
  if constexpr (std::is_void_v<typename handle_traits<H>::value_type>) {
    h.result();
    return {};
  } else {
    return h.result();
  }
}

template <class H>
outcome<gather_value_t<typename handle_traits<H>::value_type>> gathered_outcome(const H& h) {
  using O = outcome<gather_value_t<typename handle_traits<H>::value_type>>;
  if (const std::exception_ptr& e = access::state(h)->stored_exception()) return O::failure(e);
  return O::success(gathered_value(h));
}

template <bool Outcomes, class H>
auto gathered(const H& h) {
  if constexpr (Outcomes)
    return gathered_outcome(h);
  else
    return gathered_value(h);
}

template <bool Outcomes, class H>
using gathered_t = decltype(gathered<Outcomes>(std::declval<const H&>()));

template <bool Outcomes, class... H>
boost::asio::awaitable<std::tuple<gathered_t<Outcomes, H>...>> gather_tuple(ref_ptr<gather_state> st,
                                                                             std::tuple<H...> hs) {
  co_await gather_state::wait(std::move(st));
  co_return std::apply([](const H&... h) { return std::tuple<gathered_t<Outcomes, H>...>(gathered<Outcomes>(h)...); },
                       hs);
}

template <bool Outcomes, class H>
boost::asio::awaitable<std::vector<gathered_t<Outcomes, H>>> gather_vector(ref_ptr<gather_state> st,
                                                                           std::vector<H> hs) {
  co_await gather_state::wait(std::move(st));
  std::vector<gathered_t<Outcomes, H>> r;
  r.reserve(hs.size());
  for (const H& h : hs) r.push_back(gathered<Outcomes>(h));
  co_return r;
}

template <bool Outcomes, class... A>
auto gather_args(A&&... aws) {
  std::tuple<handle_t<A>...> hs{ensure_future(std::forward<A>(aws))...};  // braces: created in argument order
  auto states = std::apply(
      [](const auto&... h) { return std::array<future_state_base*, sizeof...(A)>{access::state(h)...}; }, hs);
  ref_ptr<gather_state> st(new gather_state(Outcomes, states));
  return gather_tuple<Outcomes>(std::move(st), std::move(hs));
}

template <bool Outcomes, class R>
auto gather_range(R&& range) {
  auto hs = ensure_futures(std::forward<R>(range));
  ref_ptr<gather_state> st(new gather_state(Outcomes, states_of(hs)));
  return gather_vector<Outcomes>(std::move(st), std::move(hs));
}

}  // namespace detail

template <class... A>
  requires(is_awaitable_v<A> && ...)
auto gather(A&&... aws) {
  return detail::gather_args<false>(std::forward<A>(aws)...);
}

template <class... A>
  requires(is_awaitable_v<A> && ...)
auto gather(return_exceptions_t, A&&... aws) {
  return detail::gather_args<true>(std::forward<A>(aws)...);
}

template <detail::awaitable_range R>
auto gather(R&& range) {
  return detail::gather_range<false>(std::forward<R>(range));
}

template <detail::awaitable_range R>
auto gather(return_exceptions_t, R&& range) {
  return detail::gather_range<true>(std::forward<R>(range));
}

}  // namespace taskio

#endif  // TASKIO_GATHER_HPP
