//
// example/request_ids.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A request id in every log record of that request, through every task the
// request spawns (doc/context.md). The id lives in a taskio::context_var;
// a Boost.Log attribute reads it whenever a record is made, so no function
// passes the id around and no record forgets it:
//
//   * handle() sets the id once, in the request's own task;
//   * the tasks it creates (gather's, a task group's children) copy its
//     context, so they log the same id; what they set stays theirs;
//   * to_thread runs the blocking call in a copy of the context: records
//     made on the pool thread carry the id too;
//   * code outside any request logs the variable's default, "-".
//
//   $ request_ids
//   [-] serving 3 requests
//   [req-1] start /users/1
//   [req-2] start /users/2
//   ...
//   [req-1] user 1 has 3 orders
//   ...

#include <taskio.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/log/attributes/function.hpp>
#include <boost/log/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/sources/logger.hpp>
#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/utility/setup/console.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace logging = boost::log;
using namespace std::chrono_literals;

namespace {

/// The id of the request the running code works for.
taskio::context_var<std::string> request_id("request_id", "-");

/// Every record gets a "RequestID" attribute: request_id's value in the
/// context of the code making the record (a task's, a callback's, a
/// to_thread function's).
void install_logging() {
  logging::core::get()->add_global_attribute(
      "RequestID", logging::attributes::make_function([] { return request_id.get(); }));
  logging::add_console_log(std::cout,
                           logging::keywords::format = logging::expressions::stream
                                                       << "[" << logging::expressions::attr<std::string>("RequestID")
                                                       << "] " << logging::expressions::smessage,
                           logging::keywords::auto_flush = true);
}

logging::sources::logger& app_log() {
  static logging::sources::logger lg;
  return lg;
}

asio::awaitable<std::string> fetch_user(int user) {
  BOOST_LOG(app_log()) << "fetching user " << user;
  co_await taskio::sleep(std::chrono::milliseconds(10 * user));
  co_return "user " + std::to_string(user);
}

asio::awaitable<int> count_orders(int user) {
  // a blocking call: runs on the loop's thread pool, in a copy of this
  // task's context (the record below is made on the pool thread)
  co_return co_await taskio::to_thread([user] {
    BOOST_LOG(app_log()) << "counting orders in the database";
    return user + 2;
  });
}

asio::awaitable<void> handle(int user) {
  request_id.set("req-" + std::to_string(user));  // this task and all it creates
  BOOST_LOG(app_log()) << "start /users/" << user;
  auto [name, orders] = co_await taskio::gather(fetch_user(user), count_orders(user));
  BOOST_LOG(app_log()) << name << " has " << orders << " orders";
}

asio::awaitable<void> serve() {
  BOOST_LOG(app_log()) << "serving 3 requests";
  co_await taskio::async_with(taskio::task_group{}, [](taskio::task_group& tg) -> asio::awaitable<void> {
    for (int user = 1; user <= 3; ++user)
      tg.create_task(handle(user), taskio::task_options{.name = "request-" + std::to_string(user), .context = {}});
    co_return;
  });
  BOOST_LOG(app_log()) << "all requests served";  // the requests' ids never reach here
}

}  // namespace

int main() {
  install_logging();
  return taskio::run_main(serve());  // 130 after Ctrl-C
}
