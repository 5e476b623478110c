//
// taskio/as_completed.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.as_completed: the results of several tasks in the order they
// complete.
//
//   auto ac = taskio::as_completed(std::move(tasks), 10s);
//   while (ac.has_next()) {
//     int v = co_await ac.next();                 // the earliest result first
//   }
//   for (auto&& next : taskio::as_completed(std::move(tasks)))
//     int v = co_await std::move(next);           // the same, as a range
//
// as_completed() watches each distinct child (tasks and futures as they are,
// an asio::awaitable becomes a task at the call) and hands out exactly one
// next() per distinct child. Each next(), when awaited, returns the result
// of the next child to complete (or rethrows that child's exception),
// whichever next() object is awaited first.
//
// Timeout: global, counted from the call. Once it passed, every next() not
// yet delivered raises timeout_error; the unfinished children are NOT
// cancelled (cancel them yourself if they must stop). Results that were
// ready before the deadline are still delivered first.
//
// Lifetime: the state lives while the range object, a next() awaitable or a
// watched child needs it; dropping the range leaves the children running.
// Cancellation: next() is a cancellation point when it has to wait (a result
// already available is returned without suspending); cancelling the
// awaiting task raises cancelled_error in it, cancels no child and loses no
// result (the next next() gets it).
// Exceptions: the child's exception; timeout_error; std::logic_error when
// next() is called more often than there are children ("no result left").
// Thread safety: use it on the executor of the task that created it.

#ifndef TASKIO_AS_COMPLETED_HPP
#define TASKIO_AS_COMPLETED_HPP

#include <taskio/clock.hpp>
#include <taskio/config.hpp>
#include <taskio/future.hpp>
#include <taskio/gather.hpp>
#include <taskio/wait.hpp>
#include <taskio/detail/wait_queue.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <deque>
#include <iterator>
#include <optional>
#include <vector>

namespace taskio {

namespace detail {

/// as_completed's state: a FIFO of completed children and a FIFO of next()
/// calls waiting for one (asyncio's Queue of done futures).
class TASKIO_DECL as_completed_state final : public watcher {
public:
  /// What take() returns once the timeout has passed.
  static constexpr std::size_t timed_out = static_cast<std::size_t>(-1);

  as_completed_state(std::span<future_state_base* const> children, std::optional<any_delay> timeout);

  bool has_next() const noexcept { return handed_out_ < size(); }
  /// Counts one next(); std::logic_error when none is left.
  void hand_out();
  /// The index of the next completed child, or timed_out; waits for one.
  static boost::asio::awaitable<std::size_t> take(ref_ptr<as_completed_state> self);

private:
  void on_child_done(std::size_t i) override;
  void on_timeout() override;
  void put(std::size_t item);

  std::deque<std::size_t> ready_;
  wait_queue getters_{"taskio::as_completed", "as_completed"};  // next() calls waiting for a result
  std::size_t todo_ = 0;
  std::size_t handed_out_ = 0;
};

}  // namespace detail

/// The object as_completed() returns: next() until has_next() is false, or a
/// range of asio::awaitable<T> (one per child). Move-only.
template <class Handle>
class as_completed_range {
public:
  using value_type = typename detail::handle_traits<Handle>::value_type;

  as_completed_range(as_completed_range&&) noexcept = default;
  as_completed_range& operator=(as_completed_range&&) noexcept = default;

  /// True while some next() has not been handed out yet.
  bool has_next() const noexcept { return st_->has_next(); }

  /// The next result in completion order (see the header comment).
  /// std::logic_error if has_next() is false.
  boost::asio::awaitable<value_type> next();

  /// An input iterator: each position yields one next(); dereferencing a
  /// position twice is a std::logic_error.
  class iterator {
  public:
    using iterator_category = std::input_iterator_tag;
    using value_type = boost::asio::awaitable<typename as_completed_range::value_type>;
    using difference_type = std::ptrdiff_t;

    iterator() noexcept = default;
    explicit iterator(as_completed_range* r) noexcept : r_(r) {}
    value_type operator*() const;
    iterator& operator++() noexcept {
      taken_ = false;
      return *this;
    }
    void operator++(int) noexcept { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept { return !it.r_->has_next(); }

  private:
    as_completed_range* r_ = nullptr;
    mutable bool taken_ = false;
  };

  iterator begin() noexcept { return iterator(this); }
  std::default_sentinel_t end() const noexcept { return {}; }

private:
  friend struct detail::access;
  explicit as_completed_range(detail::ref_ptr<detail::as_completed_state> st) noexcept : st_(std::move(st)) {}
  static boost::asio::awaitable<value_type> take(detail::ref_ptr<detail::as_completed_state> st);

  detail::ref_ptr<detail::as_completed_state> st_;
};

/// Watches the children of `range` (tasks, futures, or an rvalue range of
/// asio::awaitable<T>) and returns their results in completion order.
///
/// Cancellation: the call itself does not suspend; see next().
/// Exceptions: std::runtime_error "no running event loop" outside a loop;
/// std::invalid_argument for a NaN, infinite or too large timeout (any
/// std::chrono::duration; negative: zero, see any_delay) or a child of
/// another loop.
template <detail::awaitable_range R>
auto as_completed(R&& range, std::optional<any_delay> timeout = {});

// ---- implementation ----

template <class Handle>
boost::asio::awaitable<typename as_completed_range<Handle>::value_type> as_completed_range<Handle>::next() {
  st_->hand_out();
  return take(st_);
}

template <class Handle>
typename as_completed_range<Handle>::iterator::value_type as_completed_range<Handle>::iterator::operator*() const {
  if (taken_)
    throw std::logic_error("taskio::as_completed: this position was already dereferenced (its result is awaited once)");
  taken_ = true;
  return r_->next();
}

template <class Handle>
boost::asio::awaitable<typename as_completed_range<Handle>::value_type> as_completed_range<Handle>::take(
    detail::ref_ptr<detail::as_completed_state> st) {
  const std::size_t i = co_await detail::as_completed_state::take(st);
  if (i == detail::as_completed_state::timed_out)
    throw timeout_error("taskio::as_completed: the timeout passed before this result was ready");
  co_return detail::handle_traits<Handle>::from_state(st->child(i)).result();
}

template <detail::awaitable_range R>
auto as_completed(R&& range, std::optional<any_delay> timeout) {
  auto hs = detail::ensure_futures(std::forward<R>(range));
  return detail::access::make<as_completed_range<typename decltype(hs)::value_type>>(
      new detail::as_completed_state(detail::states_of(hs), timeout));
}

}  // namespace taskio

#endif  // TASKIO_AS_COMPLETED_HPP
