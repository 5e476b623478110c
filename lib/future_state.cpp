//
// lib/future_state.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include <taskio/detail/future_state.hpp>

#include <taskio/detail/loop.hpp>
#include "log_record.hpp"

#include <boost/asio/post.hpp>

#include <atomic>

namespace taskio::detail {

// ---------------------------------------------------------------------------
// future_state_base

namespace {
std::atomic<callback_id> next_callback_id{0};
}  // namespace

callback_node_base::callback_node_base() : id(++next_callback_id) { destroy = &on_destroy; }

void callback_node_base::on_destroy(completion_node* n) { delete static_cast<callback_node_base*>(n); }

future_state_base::future_state_base(loop& l, boost::asio::any_io_executor ex) : loop_(&l), ex_(std::move(ex)) {}

future_state_base::~future_state_base() {
  drop_nodes();
  if (log_unretrieved_ && log_enabled(log_level::error))
    log(log_level::error, std::string(kind()) + " exception was never retrieved: " + describe(*this));
}

void future_state_base::drop_nodes() noexcept {
  while (completion_node* n = callbacks_.pop_front())
    if (n->destroy) n->destroy(n);
}

void future_state_base::check_thread(const char* who) const {
  if (loop_) loop_->check_thread(who);
}

bool future_state_base::cancel(std::string msg) {
  log_unretrieved_ = false;
  if (done()) return false;
  set_cancelled(std::make_exception_ptr(cancelled_error(std::move(msg))));
  return true;
}

void future_state_base::check_pending(const char* who) const {
  if (done()) throw invalid_state_error(std::string(who) + ": invalid state: " + repr() + " is already done");
}

void future_state_base::check_result(const char* who) {
  if (status_ == future_status::pending)
    throw invalid_state_error(std::string(who) + ": result is not set: " + repr() + " is pending");
  if (exception_) {
    log_unretrieved_ = false;
    std::rethrow_exception(exception_);
  }
}

std::exception_ptr future_state_base::exception(const char* who) {
  if (status_ == future_status::pending)
    throw invalid_state_error(std::string(who) + ": exception is not set: " + repr() + " is pending");
  if (status_ == future_status::cancelled) std::rethrow_exception(exception_);
  log_unretrieved_ = false;
  return exception_;
}

void future_state_base::set_exception(std::exception_ptr e, const char* who) {
  check_pending(who);
  log_unretrieved_ = e != nullptr;
  exception_ = std::move(e);
  complete(future_status::finished);
}

void future_state_base::set_cancelled(std::exception_ptr cancelled_error) {
  exception_ = std::move(cancelled_error);
  log_unretrieved_ = false;
  complete(future_status::cancelled);
}

void future_state_base::complete(future_status s) {
  status_ = s;
  ref_ptr<future_state_base> keep(this);  // a node may drop the last other reference
  while (completion_node* n = callbacks_.pop_front()) n->fire(n, *this);
}

void future_state_base::add_node(completion_node* n) {
  if (done())
    n->fire(n, *this);
  else
    callbacks_.push_back(*n);
}

std::size_t future_state_base::remove_done_callback(callback_id id) noexcept {
  std::size_t removed = 0;
  for (completion_node* n = callbacks_.front(); n;) {
    completion_node* next = completion_list::next(*n);
    if (n->destroy == &callback_node_base::on_destroy && static_cast<callback_node_base*>(n)->id == id) {
      callbacks_.erase(*n);
      callback_node_base::on_destroy(n);
      ++removed;
    }
    n = next;
  }
  return removed;
}

callback_scope::callback_scope(loop* l, const boost::asio::any_io_executor* ex) noexcept
    : prev_loop_(thread_state::current_loop()),
      prev_task_(thread_state::current_task()),
      prev_executor_(thread_state::current_executor()) {
  thread_state::current_loop() = l;
  thread_state::current_task() = nullptr;
  thread_state::current_executor() = ex;
}

callback_scope::~callback_scope() {
  thread_state::current_loop() = prev_loop_;
  thread_state::current_task() = static_cast<task_state_base*>(prev_task_);
  thread_state::current_executor() = prev_executor_;
}

void callback_scope::report(std::exception_ptr e) {
  if (is_fatal(e)) std::rethrow_exception(e);
  log(log_level::error, "exception in a loop callback: " + describe_exception(e));
}

std::string future_state_base::repr() const {
  std::string s = "<";
  s += kind();
  switch (status_) {
    case future_status::pending: s += " pending"; break;
    case future_status::cancelled: s += " cancelled"; break;
    case future_status::finished:
      s += " finished";
      if (exception_) s += " exception=" + describe_exception(exception_);
      break;
  }
  return s + ">";
}

}  // namespace taskio::detail
