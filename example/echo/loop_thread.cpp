//
// example/echo/loop_thread.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include "echo/loop_thread.hpp"

#include <taskio/create_task.hpp>
#include <taskio/exceptions.hpp>
#include <taskio/task.hpp>
#include <taskio/use_task.hpp>

#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>

#include <exception>
#include <thread>

namespace echo {

namespace asio = boost::asio;

asio::awaitable<void> loop_thread::run(asio::awaitable<void> main, std::string name) {
  using channel = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  taskio::task<void> task = taskio::create_task(runner_.get_executor(), std::move(main), std::move(name));
  channel stopped(co_await asio::this_coro::executor, 1);  // thread-safe: how the thread reports back
  std::jthread thread([&, task] {
    try {
      runner_.run(task.async_wait());
    } catch (...) {
      // the outcome stays in `task`
    }
    runner_.close();
    stopped.try_send(boost::system::error_code());
  });
  std::exception_ptr cancellation;
  for (;;) {
    try {
      co_await stopped.async_receive(taskio::use_task);
      break;
    } catch (...) {
      task.cancel_threadsafe();
      if (!taskio::is_cancellation(std::current_exception())) throw;
      cancellation = std::current_exception();
    }
  }
  thread.join();
  if (cancellation) std::rethrow_exception(cancellation);
  task.result();
}

}  // namespace echo
