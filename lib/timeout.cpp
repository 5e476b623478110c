//
// lib/timeout.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// asyncio.Timeout (doc/semantics.md 6, timeout): the deadline handler cancels the task
// that entered the scope; exit withdraws that request and turns the
// resulting cancellation into timeout_error when nobody else asked for one.

#include <taskio/timeout.hpp>

#include "slow_wait.hpp"

#include <taskio/detail/callback_timer.hpp>
#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>
#include <taskio/this_task.hpp>

#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace taskio {

namespace {
const char* const who_scope = "taskio::timeout_scope";

void check_movable(bool created) {
  if (!created) throw std::logic_error(std::string(who_scope) + ": cannot move a Timeout that has been entered");
}
}  // namespace

timeout_scope::timeout_scope(timeout_scope&& other) : when_(other.when_) { check_movable(other.state_ == state::created); }

timeout_scope& timeout_scope::operator=(timeout_scope&& other) {
  check_movable(state_ == state::created && other.state_ == state::created);
  when_ = other.when_;
  return *this;
}

timeout_scope::~timeout_scope() {
  timer_.cancel();
  slow_.cancel();
}

const char* timeout_scope::name(state s) noexcept {
  switch (s) {
    case state::created: return "created";
    case state::entered: return "active";
    case state::expiring: return "expiring";
    case state::expired: return "expired";
    case state::exited: return "finished";
  }
  return "?";
}

void timeout_scope::check_active(const char* who, bool allow_expiring) const {
  if (state_ == state::entered || (allow_expiring && state_ == state::expiring)) return;
  if (state_ == state::created) throw std::runtime_error(std::string(who) + ": Timeout has not been entered");
  throw std::runtime_error(std::string(who) + ": Cannot change state of " + name(state_) + " Timeout");
}

std::string timeout_scope::repr() const {
  std::string s = std::string("<Timeout [") + name(state_) + "]";
  if (state_ == state::entered) {
    s += " when=";
    if (when_) {
      const double secs = std::chrono::duration<double>(when_->time_since_epoch()).count();
      std::ostringstream os;
      os << std::fixed << std::setprecision(3) << std::round(secs * 1000) / 1000;
      std::string n = os.str();  // like Python's round(x, 3): "1.5", "2.0"
      n.erase(n.find_last_not_of('0') + 1);
      if (n.back() == '.') n += '0';
      s += n;
    } else {
      s += "None";
    }
  }
  return s + ">";
}

std::ostream& operator<<(std::ostream& os, const timeout_scope& t) { return os << t.repr(); }

void timeout_scope::reschedule(std::optional<clock::time_point> when) {
  check_active("taskio::timeout_scope::reschedule", false);
  when_ = when;
  timer_.cancel();
  timer_ = timer_handle();
  if (!when) return;
  // The handler runs on the executor of the task that entered the scope
  // (its strand), whoever reschedules; exit cancels it there, so a deadline
  // that came due meanwhile does nothing.
  detail::task_state_base& t = *detail::access::state(task_);
  auto h = detail::make_callback("taskio::timeout_scope::reschedule", t.get_loop(), t.inner().get(),
                                 [this] { on_deadline(); });
  detail::schedule_callback(*h, *when <= t.get_loop().now() ? std::nullopt : when);
  timer_ = detail::access::make<timer_handle>(std::move(h));
}

void timeout_scope::on_deadline() {
  timer_ = timer_handle();
  task_.cancel();
  state_ = state::expiring;
}

boost::asio::awaitable<void> timeout_scope::aenter() {
  if (state_ != state::created)
    throw std::runtime_error("taskio::timeout_scope::aenter: Timeout has already been entered");
  detail::task_state_base* t = co_await detail::attached_task();
  if (!t) throw std::runtime_error("taskio::timeout_scope::aenter: Timeout should be used inside a task");
  state_ = state::entered;
  task_ = current_task();
  baseline_ = task_.cancelling();
  reschedule(when_);
  slow_ = detail::watch_slow_wait("a timeout scope");
  co_return;
}

boost::asio::awaitable<bool> timeout_scope::aexit(std::exception_ptr e) {
  check_active("taskio::timeout_scope::aexit", true);
  timer_.cancel();
  timer_ = timer_handle();
  slow_.cancel();
  slow_ = timer_handle();
  const task_ref task = std::exchange(task_, task_ref());  // keep no reference once exited
  if (state_ == state::entered) {
    state_ = state::exited;
    co_return false;
  }
  state_ = state::expired;
  // Always withdraw our own request; convert only if nobody else asked too.
  if (task.uncancel() <= baseline_ && is_cancellation(e)) detail::throw_timeout_from(e);
  // Another exception (or a cancellation we did not cause) propagates as is:
  // C++ cannot attach the timeout to an exception of unknown type.
  co_return false;
}

timeout_scope timeout(std::optional<any_delay> delay) {
  const clock::time_point now = detail::running_loop("taskio::timeout").now();
  if (!delay) return timeout_scope(std::nullopt);
  return timeout_scope(now + delay->get("taskio::timeout"));
}

timeout_scope timeout_at(std::optional<clock::time_point> when) { return timeout_scope(when); }

namespace detail {

void throw_timeout_from(const std::exception_ptr& cancellation) {
  try {
    try {
      std::rethrow_exception(cancellation);
    } catch (const cancelled_error&) {
      throw;
    } catch (...) {
      throw cancelled_error();  // an aborted Asio operation: nest a cancelled_error
    }
  } catch (...) {
    std::throw_with_nested(timeout_error());
  }
}

}  // namespace detail

}  // namespace taskio
