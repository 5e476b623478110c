//
// taskio/detail/thread_pool.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The to_thread pool of an io_context (asyncio's default executor), an Asio
// service of its own: started on first use with run_options::threads
// threads, closed and joined by the runner (while the loop still runs, see
// lib/run.cpp) or at the latest when the io_context shuts down. The loop
// creates it first thing, so it shuts down after the loop (the loop's
// shutdown closes the gate that pool threads may block on, then joins it).

#ifndef TASKIO_DETAIL_THREAD_POOL_HPP
#define TASKIO_DETAIL_THREAD_POOL_HPP

#include <taskio/config.hpp>

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <memory>
#include <mutex>

namespace taskio::detail {

class TASKIO_DECL thread_pool_service : public boost::asio::execution_context::service {
public:
  static boost::asio::execution_context::id id;

  explicit thread_pool_service(boost::asio::execution_context& ctx);
  ~thread_pool_service() override;

  static thread_pool_service& of(boost::asio::io_context& io);

  /// The number of threads (0: hardware concurrency), before first use.
  void configure(std::size_t threads);
  /// The pool, started on first use. Thread-safe. std::runtime_error once
  /// it was closed (asyncio: "Executor shutdown has been called").
  boost::asio::thread_pool& get();
  /// Refuses get() from now on and hands the pool to the caller to join
  /// (null if it was never started).
  std::unique_ptr<boost::asio::thread_pool> close();
  /// close(), then joins the pool here.
  void join();

private:
  void shutdown() override { join(); }

  std::mutex mutex_;
  std::size_t threads_ = 0;
  std::unique_ptr<boost::asio::thread_pool> pool_;
  bool closed_ = false;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_THREAD_POOL_HPP
