//
// lib/run.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// runner (asyncio.Runner).

#include <taskio/run.hpp>

#include "stop_signals.hpp"

#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>
#include <taskio/log.hpp>

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
  if (!context_) context_ = copy_context();
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

}  // namespace taskio
