//
// lib/run.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// runner (asyncio.Runner).

#include <taskio/run.hpp>

#include "driver.hpp"
#include "dump_signal.hpp"
#include "loop_shutdown.hpp"
#include "stop_signals.hpp"

#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>
#include <taskio/future.hpp>

#include "log_record.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <iostream>
#include <memory>
#include <thread>
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
    detail::log(detail::log_level::error,
                "exception while closing the runner: " + describe_exception(std::current_exception()));
  }
}

boost::asio::io_context& runner::context() {
  if (closed_) throw std::runtime_error("taskio::runner: Runner is closed");
  if (!io_) {
    io_ = std::make_unique<boost::asio::io_context>(1);
    detail::loop::of(*io_).configure(opts_.virtual_time, opts_.debug, opts_.slow_callback_duration, opts_.threads);
    detail::loop::of(*io_).set_eager_tasks(opts_.eager_tasks);
    detail::loop::of(*io_).set_slow_wait(
        std::chrono::duration_cast<clock::duration>(opts_.slow_wait_duration));
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
  std::optional<detail::dump_signal> dump;
  if (opts_.dump_tasks_signal != 0)
    dump.emplace(*io_, opts_.dump_tasks_signal, opts_.handle_signals ? opts_.stop_signals : std::vector<int>{});
  detail::driver::run_until_done(l, *detail::access::state(main), stop && stop->active() ? &*stop : nullptr);
  const int signo = stop ? stop->first_signal() : 0;
  stop.reset();
  dump.reset();
  // asyncio.Runner: main ended cancelled by the signal's request (not by one
  // of its own that it left counted) -> KeyboardInterrupt
  if (signo != 0 && main.cancelled() && main.uncancel() == 0) detail::stop_signal_guard::raise_stop(signo);
}

namespace {
/// Cancels every remaining task once and waits for all of them (tasks
/// created meanwhile are cancelled and awaited too); the callbacks scheduled
/// as the last tasks ended still run (done callbacks, e.g. the one completing
/// a run_coroutine_threadsafe future); tasks they create get a round of
/// their own.
void cancel_all_tasks(detail::loop& l, boost::asio::io_context& io) {
  for (;;) {
    auto pending = l.pending_tasks();
    if (pending.empty()) {
      detail::loop_scope scope(&l);
      io.restart();
      io.poll();
      pending = l.pending_tasks();
      if (pending.empty()) return;
    }
    std::vector<task_ref> tasks;
    for (auto* t : pending) {
      tasks.push_back(detail::access::make<task_ref>(t));
      t->release();
    }
    for (auto& t : tasks) t.cancel();
    for (auto& t : tasks) {
      detail::task_state_base& s = *detail::access::state(t);
      detail::driver::run_until_done(l, s);
      if (!t.cancelled() && s.stored_exception()) {
        s.mark_retrieved();
        detail::log(detail::log_level::error, s, "unhandled exception during taskio::run() shutdown: " + detail::describe(s));
      }
    }
  }
}

/// asyncio's shutdown_default_executor: the to_thread pool is joined (on a
/// thread of its own) while the loop keeps running, so a pool thread that
/// submits a coroutine (run_coroutine_threadsafe(...).result()) gets it run
/// instead of blocking the join forever. to_thread refuses new calls from
/// here on.
void shutdown_thread_pool(detail::loop& l, boost::asio::io_context& io) {
  std::unique_ptr<boost::asio::thread_pool> pool = l.thread_pool().close();
  if (!pool) return;
  future<void> joined(io.get_executor());
  // (the future and the work guard move on to the loop: the joiner never
  // drops a reference the loop thread may be using)
  std::thread joiner([&pool, done = joined, work = boost::asio::make_work_guard(io)]() mutable {
    pool->join();
    auto ex = work.get_executor();
    boost::asio::post(ex, [done = std::move(done), work = std::move(work)] { done.set_result(); });
  });
  struct join_on_exit {
    detail::loop& l;
    std::thread& joiner;
    ~join_on_exit() {
      if (!joiner.joinable()) return;
      l.gate()->close();  // the loop stopped early (a fatal exception): release blocked threads
      joiner.join();
    }
  } guard{l, joiner};
  detail::driver::run_until_done(l, *detail::access::state(joined));
  joiner.join();
}
}  // namespace

void detail::shut_down_loop(boost::asio::io_context& io) {
  detail::loop& l = detail::loop::of(io);
  if (l.gate()->closed()) return;  // shut down already (loop_thread)
  // 1. cancel the tasks, 2. join the to_thread pool while the loop runs,
  // 3. the tasks submitted by the pool's threads meanwhile,
  // 4. close the loop to other threads (pending futures fail, later
  //    submissions fail at once)
  cancel_all_tasks(l, io);
  shutdown_thread_pool(l, io);
  cancel_all_tasks(l, io);
  l.gate()->close();
}

void runner::close() {
  if (closed_) return;
  closed_ = true;
  if (!io_) return;
  detail::shut_down_loop(*io_);
  io_.reset();  // 5. destroy the loop
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
