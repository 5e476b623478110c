//
// lib/loop_callbacks.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The loop clock and loop callbacks (call_soon / call_later / call_at), each
// run on the executor of whoever scheduled it.

#include <taskio/loop_callbacks.hpp>

#include <taskio/detail/callback_timer.hpp>
#include <taskio/detail/context_state.hpp>
#include <taskio/detail/future_state.hpp>
#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>

#include <stdexcept>
#include <string>
#include <utility>

namespace taskio {

clock::time_point loop_time() { return detail::running_loop("taskio::loop_time").now(); }

void advance_time(clock::duration d) { detail::running_loop("taskio::advance_time").advance(d); }

namespace detail {

boost::asio::any_io_executor callback_executor(loop& l) {
  if (task_state_base* t = thread_state::current_task()) return t->inner().get();
  if (const boost::asio::any_io_executor* ex = thread_state::current_executor()) return *ex;
  return l.get_executor();
}

void callback_timer::schedule() {
  auto call = [self = ref_ptr<callback_timer>(this)] {
    if (self->cancelled) return;
    callback_scope scope(self->l, &self->ex);
    auto f = std::move(self->fn);
    try {
      f();
    } catch (...) {
      scope.report(std::current_exception());
    }
  };
  inner_executor(ex).post(std::move(call));  // (without the type-erased hop for an io_context executor)
}

void callback_timer::on_fire(timer_node* n) {
  auto* t = static_cast<callback_timer*>(n);
  t->schedule();
  t->release();  // the queue's reference
}

void callback_timer::on_destroy(timer_node* n) { static_cast<callback_timer*>(n)->release(); }

ref_ptr<callback_timer> make_callback(const char* who, loop& l, boost::asio::any_io_executor ex,
                                      std::function<void()> f) {
  if (!f) throw std::invalid_argument(std::string(who) + ": empty callback");
  ref_ptr<callback_timer> t(new callback_timer);
  t->l = &l;
  t->ex = std::move(ex);
  t->fn = std::move(f);
  t->fire = &callback_timer::on_fire;
  t->destroy = &callback_timer::on_destroy;
  return t;
}

void schedule_callback(callback_timer& t, std::optional<clock::time_point> when) {
  if (!when) {
    t.when = t.l->now();
    t.schedule();
    return;
  }
  t.when = *when;
  t.add_ref();  // the queue's reference
  t.l->add_timer(t);
}

}  // namespace detail

timer_handle::timer_handle(detail::ref_ptr<detail::callback_timer> t) noexcept : t_(std::move(t)) {}

void timer_handle::cancel() const {
  if (!t_ || t_->cancelled) return;
  t_->cancelled = true;
  t_->fn = nullptr;
  if (t_->l->remove_timer(*t_)) t_->release();  // the queue's reference
}

bool timer_handle::cancelled() const { return t_ && t_->cancelled; }

clock::time_point timer_handle::when() const {
  if (!t_) throw std::logic_error("taskio::timer_handle: empty handle");
  return t_->when;
}

namespace {
timer_handle schedule(const char* who, std::optional<clock::time_point> when, std::function<void()> f,
                      std::optional<any_delay> delay = std::nullopt) {
  detail::loop& l = detail::running_loop(who);
  if (delay) when = l.now() + delay->get(who);
  if (f) f = detail::bind_context_copy(std::move(f));  // asyncio: runs in a copy of the current context
  auto t = detail::make_callback(who, l, detail::callback_executor(l), std::move(f));
  detail::schedule_callback(*t, when);
  return detail::access::make<timer_handle>(std::move(t));
}
}  // namespace

timer_handle call_soon(std::function<void()> f) { return schedule("taskio::call_soon", std::nullopt, std::move(f)); }

timer_handle call_later(any_delay delay, std::function<void()> f) {
  return schedule("taskio::call_later", std::nullopt, std::move(f), delay);
}

timer_handle call_at(clock::time_point when, std::function<void()> f) {
  return schedule("taskio::call_at", when, std::move(f));
}

}  // namespace taskio
