//
// example/common/graceful_shutdown.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include "common/graceful_shutdown.hpp"

#include <taskio/async_with.hpp>
#include <taskio/exceptions.hpp>
#include <taskio/this_task.hpp>
#include <taskio/wait.hpp>

#include <stdexcept>
#include <vector>

namespace examples {

graceful_shutdown::graceful_shutdown(taskio::clock::duration drain_timeout) : drain_timeout_(drain_timeout) {
  if (drain_timeout < drain_timeout.zero())
    throw std::invalid_argument("graceful_shutdown: the drain timeout is negative");
}

boost::asio::awaitable<void> graceful_shutdown::serve(boost::asio::ip::tcp::acceptor& acceptor,
                                                      boost::asio::awaitable<void> accept_loop) {
  if (served_) throw std::runtime_error("graceful_shutdown::serve: called twice (single use)");
  served_ = true;
  server_ = taskio::current_task();
  if (!server_) throw std::runtime_error("graceful_shutdown::serve: not inside a task");
  std::exception_ptr outcome;  // what serve() ends with: the stop's cancellation, the accept loop's failure
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> boost::asio::awaitable<void> {
    group_ = &group;
    if (!stop_requested_) {
      try {
        co_await std::move(accept_loop);  // until the stop cancels it, or it ends by itself
      } catch (...) {
        outcome = std::current_exception();
      }
    }
    // 1. stop accepting
    boost::system::error_code ignored;
    acceptor.close(ignored);
    // stop() cancelled us to end the accept loop: withdraw that request
    // (is_cancellation first: it reads the request uncancel() withdraws)
    if (cancelled_server_) {
      const bool cancellation = taskio::is_cancellation(outcome);
      if (server_.uncancel() == 0 && cancellation) outcome = nullptr;
    }
    // 2. tell the connections to finish
    begin_stopping();
    // 3. wait for them, at most drain_timeout_
    std::vector<taskio::task<void>> running;
    for (auto& [id, t] : live_) running.push_back(t);
    if (running.empty()) co_return;
    auto [done, pending] = co_await taskio::wait(std::move(running), {.timeout = drain_timeout_});
    // 4. cancel the rest; the group waits for them
    for (auto& t : pending) t.cancel("graceful_shutdown: the drain deadline passed");
    cancelled_ = pending.size();
  });
  group_ = nullptr;
  if (outcome) std::rethrow_exception(outcome);
}

taskio::task<void> graceful_shutdown::start(boost::asio::awaitable<void> connection, std::string name) {
  if (!group_) throw std::runtime_error("graceful_shutdown::start: not serving (call it from the accept loop)");
  if (stopping_) throw std::runtime_error("graceful_shutdown::start: the server is stopping");
  const std::uint64_t id = next_id_++;
  taskio::task<void> t = group_->create_task(run_connection(std::move(connection), id), std::move(name));
  if (!t.done()) live_.emplace(id, t);  // (an eager task may be done already)
  return t;
}

boost::asio::awaitable<void> graceful_shutdown::run_connection(boost::asio::awaitable<void> connection,
                                                               std::uint64_t id) {
  struct forget {
    graceful_shutdown& self;
    std::uint64_t id;
    ~forget() { self.live_.erase(id); }
  } guard{*this, id};
  co_await std::move(connection);
}

boost::asio::awaitable<bool> graceful_shutdown::unless_stopping(boost::asio::awaitable<void> read) {
  if (stopping_) co_return false;
  reader r(*this);
  std::exception_ptr failure;
  try {
    co_await std::move(read);
    r.withdraw();
    co_return true;
  } catch (...) {
    failure = std::current_exception();
  }
  if (!r.absorb(failure)) std::rethrow_exception(failure);
  co_return false;
}

void graceful_shutdown::stop() {
  if (stop_requested_ || stopping_) return;
  stop_requested_ = true;
  // the accept loop ends by the cancellation of the task running it
  if (server_ && group_) cancelled_server_ = server_.cancel("graceful_shutdown::stop");
}

void graceful_shutdown::begin_stopping() {
  stopping_ = true;
  for (auto it = readers_.begin(); it != readers_.end();) (it++)->interrupt();
}

// --- reader ------------------------------------------------------------------

graceful_shutdown::reader::reader(graceful_shutdown& owner) : task_(taskio::current_task()) {
  if (!task_) throw std::runtime_error("graceful_shutdown::unless_stopping: not inside a task");
  owner.readers_.push_back(*this);
}

void graceful_shutdown::reader::interrupt() {
  unlink();
  interrupted_ = true;
  task_.cancel("graceful_shutdown: stopping");
}

void graceful_shutdown::reader::withdraw() noexcept {
  if (interrupted_) task_.uncancel();
}

bool graceful_shutdown::reader::absorb(const std::exception_ptr& e) {
  if (!interrupted_) return false;
  const bool cancellation = taskio::is_cancellation(e);  // before uncancel(): it reads the request
  return task_.uncancel() == 0 && cancellation;
}

}  // namespace examples
