//
// lib/run.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// runner (asyncio.Runner).

#include <taskio/run.hpp>

#include <taskio/detail/loop.hpp>
#include <taskio/detail/sigint.hpp>
#include <taskio/detail/task_state.hpp>
#include <taskio/log.hpp>

#include <stdexcept>

namespace taskio {

// ---------------------------------------------------------------------------
// runner

runner::runner() : runner(run_options{}) {}

runner::runner(run_options opts) : opts_(opts) {}

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
  std::optional<detail::sigint_guard> sigint;
  if (opts_.handle_signals) sigint.emplace(*io_, main);
  l.run_until_done(*main.state(), sigint && sigint->active() ? &*sigint : nullptr);
  const int interrupts = sigint ? sigint->interrupts() : 0;
  sigint.reset();
  if (interrupts > 0 && main.cancelled() && main.uncancel() == 0) throw keyboard_interrupt();
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

}  // namespace taskio
