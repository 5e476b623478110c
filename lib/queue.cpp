//
// lib/queue.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The non-template part of taskio's queues, after asyncio 3.13's Queue
// (Lib/asyncio/queues.py): getters and putters park in the shared wait
// queue and re-check the queue when they resume.

#include <taskio/queue.hpp>

namespace taskio::detail {

queue_base::queue_base(std::size_t maxsize, const char* kind)
    : maxsize_(maxsize), kind_(kind), getters_("taskio::queue", "Queue.get"), putters_("taskio::queue", "Queue.put") {
  finished_.set();
}

boost::asio::awaitable<void> queue_base::wait_not_empty() {
  while (empty()) {
    if (shutdown_) throw queue_shut_down();
    bool woken = false;
    try {
      co_await getters_.park(&woken);
    } catch (...) {
      // Woken by a put but cannot take the item: wake the next getter.
      if (woken && !empty()) getters_.wake_next();
      throw;
    }
  }
}

boost::asio::awaitable<void> queue_base::wait_not_full() {
  while (full()) {
    if (shutdown_) throw queue_shut_down();
    bool woken = false;
    try {
      co_await putters_.park(&woken);
    } catch (...) {
      // Woken by a get but cannot use the slot: wake the next putter.
      if (woken && !full()) putters_.wake_next();
      throw;
    }
  }
}

void queue_base::check_put() const {
  if (shutdown_) throw queue_shut_down();
  if (full()) throw queue_full();
}

void queue_base::check_get() const {
  if (!empty()) return;
  if (shutdown_) throw queue_shut_down();
  throw queue_empty();
}

void queue_base::after_put() {
  ++unfinished_;
  finished_.clear();
  getters_.wake_next();
}

void queue_base::after_get() { putters_.wake_next(); }

void queue_base::task_done() {
  if (unfinished_ == 0) throw std::invalid_argument("taskio::queue::task_done: task_done() called too many times");
  if (--unfinished_ == 0) finished_.set();
}

boost::asio::awaitable<void> queue_base::join() {
  if (unfinished_ > 0) co_await finished_.wait();
}

void queue_base::shutdown(bool immediate) {
  shutdown_ = true;
  if (immediate) {
    while (!empty()) {
      discard_one();
      if (unfinished_ > 0) --unfinished_;
    }
    if (unfinished_ == 0) finished_.set();  // release join()
  }
  // every getter and putter re-checks and sees the shutdown
  getters_.wake_all();
  putters_.wake_all();
}

std::string queue_base::repr() const {
  std::string s = std::string("<") + kind_ + " maxsize=" + std::to_string(maxsize_) + " qsize=" + std::to_string(qsize());
  if (!getters_.empty()) s += " _getters[" + std::to_string(getters_.size()) + "]";
  if (!putters_.empty()) s += " _putters[" + std::to_string(putters_.size()) + "]";
  if (unfinished_) s += " tasks=" + std::to_string(unfinished_);
  if (shutdown_) s += " shutdown";
  return s + ">";
}

}  // namespace taskio::detail
