//
// lib/run.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// runner (asyncio.Runner), the loop clock and loop callbacks.

#include <taskio/run.hpp>

#include "stop_signals.hpp"

#include <taskio/detail/callback_timer.hpp>
#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>
#include <taskio/log.hpp>

#include <boost/asio/post.hpp>

#include <iostream>
#include <stdexcept>
#include <type_traits>

namespace taskio {

// ---------------------------------------------------------------------------
// runner

runner::runner() : runner(run_options{}) {}

runner::runner(run_options opts) : opts_(std::move(opts)) {}

runner::~runner() {
  try {
    close();
  } catch (...) {
    detail::log(boost::log::trivial::error, "",
                "exception while closing the runner: " + describe_exception(std::current_exception()));
  }
}

boost::asio::io_context& runner::context() {
  if (closed_) throw std::runtime_error("taskio::runner: Runner is closed");
  if (!io_) {
    io_ = std::make_unique<boost::asio::io_context>(1);
    detail::loop::of(*io_).configure(opts_.virtual_time, opts_.debug, opts_.slow_callback_duration, opts_.threads);
  }
  return *io_;
}

boost::asio::io_context::executor_type runner::get_executor() { return context().get_executor(); }

void runner::prepare(const char* who) {
  if (detail::thread_state::current_loop())
    throw std::runtime_error(std::string(who) + ": Runner.run() cannot be called from a running event loop");
  context();
}

void runner::drive(const task_ref& main) {
  detail::loop& l = detail::loop::of(*io_);
  std::optional<detail::stop_signal_guard> stop;
  if (opts_.handle_signals) stop.emplace(*io_, main, opts_.stop_signals);
  l.run_until_done(*main.state(), stop && stop->active() ? &*stop : nullptr);
  const int signo = stop ? stop->first_signal() : 0;
  stop.reset();
  // asyncio.Runner: main ended cancelled by the signal's request (not by one
  // of its own that it left counted) -> KeyboardInterrupt
  if (signo != 0 && main.cancelled() && main.uncancel() == 0) detail::stop_signal_guard::raise_stop(signo);
}

void runner::close() {
  if (closed_) return;
  closed_ = true;
  if (!io_) return;
  detail::loop& l = detail::loop::of(*io_);
  // 1. cancel every remaining task once and wait for all of them (tasks
  //    created meanwhile are cancelled and awaited too)
  for (;;) {
    auto pending = l.pending_tasks();
    if (pending.empty()) {
      // 2. the callbacks scheduled as the last tasks ended still run (done
      //    callbacks, e.g. the one completing a run_coroutine_threadsafe
      //    future); tasks they create get a round of their own
      detail::loop_scope scope(&l);
      io_->restart();
      io_->poll();
      pending = l.pending_tasks();
      if (pending.empty()) break;
    }
    std::vector<task_ref> tasks;
    for (auto* t : pending) {
      tasks.emplace_back(detail::ref_ptr<detail::task_state_base>(t));
      t->release();
    }
    for (auto& t : tasks) t.cancel();
    for (auto& t : tasks) {
      l.run_until_done(*t.state());
      if (!t.cancelled() && t.state()->stored_exception()) {
        t.state()->mark_retrieved();
        detail::log(boost::log::trivial::error, t.get_name(),
                    "unhandled exception during taskio::run() shutdown: " +
                        describe_exception(t.state()->stored_exception()));
      }
    }
  }
  // 3. the to_thread pool, 4. the loop itself
  l.join_thread_pool();
  io_.reset();
}

// ---------------------------------------------------------------------------
// run_main

namespace {
template <class Awaitable>
int run_main_impl(Awaitable main, run_options opts) noexcept {
  try {
    if constexpr (std::is_same_v<Awaitable, boost::asio::awaitable<void>>) {
      run(std::move(main), std::move(opts));
      return 0;
    } else {
      return run(std::move(main), std::move(opts));
    }
  } catch (const keyboard_interrupt&) {
    return 130;
  } catch (const system_exit& e) {
    return e.code();
  } catch (...) {
    const auto e = std::current_exception();
    try {
      std::cerr << "taskio::run_main: main ended with "
                << (is_cancellation(e) ? "a cancellation: " : "an uncaught exception: ") << describe_exception(e)
                << std::endl;
    } catch (...) {
    }
    return 1;
  }
}
}  // namespace

int run_main(boost::asio::awaitable<int> main, run_options opts) noexcept {
  return run_main_impl(std::move(main), std::move(opts));
}

int run_main(boost::asio::awaitable<void> main, run_options opts) noexcept {
  return run_main_impl(std::move(main), std::move(opts));
}

// ---------------------------------------------------------------------------
// clock and callbacks

clock::time_point loop_time() { return detail::running_loop("taskio::loop_time").now(); }

void advance_time(clock::duration d) { detail::running_loop("taskio::advance_time").advance(d); }


namespace detail {

void callback_timer::schedule() {
  boost::asio::post(l->get_executor(), [self = ref_ptr<callback_timer>(this)] {
    if (self->cancelled) return;
    callback_scope scope(self->l);
    auto f = std::move(self->fn);
    try {
      f();
    } catch (...) {
      scope.report(std::current_exception());
    }
  });
}

void callback_timer::on_fire(timer_node* n) {
  auto* t = static_cast<callback_timer*>(n);
  t->schedule();
  t->release();  // the queue's reference
}

void callback_timer::on_destroy(timer_node* n) { static_cast<callback_timer*>(n)->release(); }

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
detail::ref_ptr<detail::callback_timer> make_callback(const char* who, std::function<void()> f) {
  if (!f) throw std::invalid_argument(std::string(who) + ": empty callback");
  detail::ref_ptr<detail::callback_timer> t(new detail::callback_timer);
  t->l = &detail::running_loop(who);
  t->fn = std::move(f);
  t->fire = &detail::callback_timer::on_fire;
  t->destroy = &detail::callback_timer::on_destroy;
  return t;
}

timer_handle schedule_at(detail::ref_ptr<detail::callback_timer> t, clock::time_point when) {
  t->when = when;
  t->add_ref();  // the queue's reference
  t->l->add_timer(*t);
  return timer_handle(std::move(t));
}
}  // namespace

timer_handle call_soon(std::function<void()> f) {
  auto t = make_callback("taskio::call_soon", std::move(f));
  t->when = t->l->now();
  t->schedule();
  return timer_handle(std::move(t));
}

timer_handle call_later(clock::duration delay, std::function<void()> f) {
  if (delay < clock::duration::zero()) throw std::invalid_argument("taskio::call_later: negative delay");
  auto t = make_callback("taskio::call_later", std::move(f));
  return schedule_at(t, t->l->now() + delay);
}

timer_handle call_at(clock::time_point when, std::function<void()> f) {
  auto t = make_callback("taskio::call_at", std::move(f));
  return schedule_at(t, when);
}

}  // namespace taskio
