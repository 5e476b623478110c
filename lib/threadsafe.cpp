//
// lib/threadsafe.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// concurrent_future's state (doc/semantics.md 13, threads) and the loop callback error
// report of call_soon_threadsafe.

#include <taskio/threadsafe.hpp>

#include "log_record.hpp"

#include <string>

namespace taskio::detail {

concurrent_state_base::~concurrent_state_base() = default;

bool concurrent_state_base::done() const {
  std::lock_guard lock(mutex_);
  return status_ != status::pending;
}

bool concurrent_state_base::cancelled() const {
  std::lock_guard lock(mutex_);
  return status_ == status::cancelled;
}

bool concurrent_state_base::pending() const { return !done(); }

bool concurrent_state_base::cancel() {
  std::unique_lock lock(mutex_);
  if (status_ != status::pending) return false;
  task_ref t = task_;
  complete(lock, status::cancelled, std::make_exception_ptr(cancelled_error()));
  if (t) t.cancel_threadsafe();  // not yet created: the creator sees the status
  return true;
}

std::exception_ptr concurrent_state_base::wait(std::optional<duration> timeout, const char* who) const {
  std::unique_lock lock(mutex_);
  const auto finished = [this] { return status_ != status::pending; };
  if (!finished()) {
    if (loop_ && thread_state::current_loop() == loop_)
      throw std::runtime_error(std::string(who) +
                               ": called on a thread running the task's loop (blocking it would deadlock the loop)");
    if (!timeout)
      cv_.wait(lock, finished);
    else if (!cv_.wait_for(lock, *timeout, finished))
      throw timeout_error(std::string(who) + ": the task is not done after the timeout");
  }
  if (status_ == status::cancelled) std::rethrow_exception(exception_);
  return exception_;
}

void concurrent_state_base::bind(const boost::asio::any_io_executor& ex,
                                 const std::shared_ptr<concurrent_state_base>& self) {
  loop_ = &loop::of(ex);
  gate_ = loop_->gate();
  gate_->enter(self, "taskio::run_coroutine_threadsafe");
}

void concurrent_state_base::fail_closed() {
  std::unique_lock lock(mutex_);
  if (status_ != status::pending) return;
  // The loop runs no more: the task will never finish. Let go of it (it holds
  // this state in its done callback: the pair would keep each other alive).
  task_ref t = std::move(task_);
  complete(lock, status::finished,
           std::make_exception_ptr(std::runtime_error(
               "taskio::run_coroutine_threadsafe: Event loop is closed (the loop closed before the task finished)")));
}

void concurrent_state_base::fail_to_start(std::exception_ptr e) {
  log(log_level::error,
      "taskio::run_coroutine_threadsafe: creating the task failed: " + describe_exception(e));
  std::unique_lock lock(mutex_);
  if (status_ == status::pending) complete(lock, status::finished, std::move(e));
}

void concurrent_state_base::attach(const task_ref& t) {
  std::unique_lock lock(mutex_);
  if (status_ == status::cancelled) {
    lock.unlock();
    t.cancel();  // on the task's executor already
    return;
  }
  task_ = t;
}

void concurrent_state_base::complete(std::unique_lock<std::mutex>& lock, status s, std::exception_ptr e) {
  status_ = s;
  exception_ = std::move(e);
  lock.unlock();
  cv_.notify_all();
  if (gate_) gate_->leave(this);
}

void report_callback_exception(std::exception_ptr e) {
  if (is_fatal(e)) std::rethrow_exception(e);
  log(log_level::error, "exception in a loop callback: " + describe_exception(e));
}

}  // namespace taskio::detail
