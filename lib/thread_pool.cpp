//
// lib/thread_pool.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include <taskio/detail/thread_pool.hpp>

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace taskio::detail {

boost::asio::execution_context::id thread_pool_service::id;

thread_pool_service::thread_pool_service(boost::asio::execution_context& ctx)
    : boost::asio::execution_context::service(ctx) {}

thread_pool_service::~thread_pool_service() = default;

thread_pool_service& thread_pool_service::of(boost::asio::io_context& io) {
  return boost::asio::use_service<thread_pool_service>(io);
}

void thread_pool_service::configure(std::size_t threads) {
  std::lock_guard guard(mutex_);
  threads_ = threads;
}

boost::asio::thread_pool& thread_pool_service::get() {
  std::lock_guard guard(mutex_);
  if (closed_) throw std::runtime_error("taskio::to_thread: the loop's thread pool is shut down (the loop is closing)");
  if (!pool_) pool_ = std::make_unique<boost::asio::thread_pool>(threads_ ? threads_ : std::max(1u, std::thread::hardware_concurrency()));
  return *pool_;
}

std::unique_ptr<boost::asio::thread_pool> thread_pool_service::close() {
  std::lock_guard guard(mutex_);
  closed_ = true;
  return std::move(pool_);
}

void thread_pool_service::join() {
  if (auto pool = close()) pool->join();
}

}  // namespace taskio::detail
